/*
 * motifs: second-order connectivity motifs of weight matrices.
 *
 * Reads weight matrices (a 2-D .npy, a 3-D .npy stack such as a run's
 * weights.npy, a headerless numeric CSV matrix as the notebook writes it,
 * a SciPy CSR .npz, or a run directory's weights record, dense or sparse;
 * "-" or no file = stdin) and writes one CSV row per matrix:
 * <tag keys...>,path,loop,N,sigma2,tau_rec,tau_div,tau_con,tau_chn,R
 * (loop: the matrix's index in a stack, the loop of a run's weights)
 * computed in O(N^2) from row sums, column sums, sum w^2 and sum w_ij w_ji
 * (libcore/motifs.h), or for a sparse matrix in O(nnz) (spmotifs.h).
 * Rows are held until every input has been read, so a bad input leaves no
 * partial table behind.
 */
#define _GNU_SOURCE             /* open_memstream */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arrayin.h"
#include "atomic.h"
#include "csvio.h"
#include "err.h"
#include "motifs.h"
#include "npy.h"
#include "npz.h"
#include "opts.h"
#include "runrec.h"
#include "spmotifs.h"

/* The table's own columns, after the tag keys. */
#define COLUMNS "path,loop,N,sigma2,tau_rec,tau_div,tau_con,tau_chn,R"

enum { OPT_THREADS = OPT_TOOL };

struct options {
	struct opts_common c;
	long long threads;
};

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: motifs [OPTION]... [FILE]...\n"
"Connectivity motifs of weight matrices, one CSV row per matrix:\n"
"  <tag keys...>," COLUMNS "\n"
"FILE is a .npy (N, N) matrix or (L, N, N) stack ('<f8' or '<f4'), a\n"
"headerless numeric CSV matrix, a sparse CSR .npz (scipy.sparse, any N: the\n"
"motifs in O(nnz)), or a run directory (its weights record, dense or sparse);\n"
"'-' or no FILE reads stdin.  loop is the matrix's index in a stack, the loop\n"
"of a run directory's weights, else 0.\n"
"\n"
"      --threads T      threads for a sparse matrix (default 1); the results\n"
"                       do not depend on it\n"
"      --tag KEY=VALUE  prepend a KEY column holding VALUE (repeatable)\n"
"      --no-header      omit the header row (to append to a table)\n"
"  -o, --output FILE    write the table to FILE (default '-', stdout)\n"
"  -q, --quiet          no notes on stderr\n"
"  -h, --help           this help\n"
"  -V, --version        version\n"
"\n"
"Example: motifs --tag seed=0 run | column -t -s,\n"
"See motifs(1).\n");
}

static void parse_command_line(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		OPTS_LONG_BASE,
		OPTS_LONG_TAG,
		{ "threads", required_argument, NULL, OPT_THREADS },
		OPTS_LONG_END
	};
	int code;

	o->c.usage = usage;
	o->c.output = "-";
	o->threads = 1;
	while ((code = getopt_long(argc, argv, OPTS_SHORT, longopts, NULL)) != -1) {
		if (code == OPT_THREADS)
			o->threads = opts_int("--threads", optarg, 1, 1024);
		else
			opts_common(&o->c, code, optarg);
	}
	opts_files(&o->c, argc, argv);
	opts_tags_check(&o->c, COLUMNS, "table");
}

static void put_row(FILE *fp, const struct options *o, const char *file,
		    size_t index, size_t n, const struct motifs *m)
{
	const double v[] = { m->sigma2, m->tau_rec, m->tau_div, m->tau_con,
			     m->tau_chn, m->R };

	opts_tags_values(&o->c, fp);
	csvio_put_str(fp, file);
	fprintf(fp, ",%zu,%zu", index, n);
	for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
		fputc(',', fp);
		csvio_put_double(fp, v[k]);
	}
	fputc('\n', fp);
}

/* Motifs that overflow are an error, not inf (where: "matrix K: ", or ""). */
static void check_finite(const char *name, const char *where, const struct motifs *m)
{
	if (!(isfinite(m->sigma2) && isfinite(m->tau_rec) && isfinite(m->tau_div) &&
	      isfinite(m->tau_con) && isfinite(m->tau_chn) && isfinite(m->R)))
		err_die(EXIT_DATA, "%s: %sthe motifs overflow: the entries are "
			"too large (see motifs(1))", name, where);
}

/* The motifs of one sparse matrix (sums on its plan) as a row; what a
 * matrix whose motifs cannot be computed gets is said with where. */
static void sparse_row(FILE *tab, const struct options *o, const char *name,
		       const char *where, size_t loop, struct spmotifs *plan,
		       const void *data)
{
	struct motifs_sums s;
	struct motifs m;

	spmotifs_sums(plan, data, &s);
	if (motifs_from_sums(&s, plan->n, &m) == MOTIFS_NOVAR)
		err_die(EXIT_DATA, "%s: %severy entry is equal "
			"(zero variance: the motifs divide by it)", name, where);
	check_finite(name, where, &m);
	put_row(tab, o, name, loop, plan->n, &m);
}

/* The plan of a view, which must be a square matrix of N >= 2 (path is
 * the file, name the input as given). */
static void sparse_plan(const char *name, const char *path, struct npz_view *v,
			struct spmotifs *plan)
{
	if (v->nrows != v->ncols)
		err_die(EXIT_DATA, "%s: not a square matrix: shape (%zu, %zu)", path,
			v->nrows, v->ncols);
	if (v->nrows < 2)
		err_die(EXIT_DATA, "%s: N = %zu: motifs need N >= 2 (shape (%zu, %zu))",
			name, v->nrows, v->nrows, v->ncols);
	if (spmotifs_plan(plan, v->nrows, v->indptr, v->indices, v->nnz) != 0)
		err_die(EXIT_DATA, "%s: out of memory (the plan of %zu neurons)", name,
			v->nrows);
}

/* A .npz file opened as a view (npz.h: mapped when it can be), and its plan. */
static void sparse_open(const char *name, const char *path, struct npz_view *v,
			struct spmotifs *plan)
{
	char err[320];

	if (npz_view_open(v, path, err, sizeof err) != 0)
		err_die(EXIT_DATA, "%s: %s", path, err);
	sparse_plan(name, path, v, plan);
}

/* A .npz that arrayin opened from a pipe: its entries read into memory. */
static void sparse_stream(FILE *tab, const struct options *o, const char *name,
			  struct arrayin *in)
{
	struct npz_view v;
	struct spmotifs plan;
	char err[320];

	if (npz_view_read(&v, in->npz, err, sizeof err) != 0)
		err_die(EXIT_DATA, "%s: %s", name, err);
	arrayin_close(in);
	sparse_plan(name, name, &v, &plan);
	sparse_row(tab, o, name, "", 0, &plan, v.data);
	spmotifs_free(&plan);
	npz_view_close(&v);
}

static int is_dir(const char *path)
{
	struct stat st;

	return strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void sparse_file(FILE *tab, const struct options *o, const char *name)
{
	struct npz_view v;
	struct spmotifs plan;

	sparse_open(name, name, &v, &plan);
	sparse_row(tab, o, name, "", 0, &plan, v.data);
	spmotifs_free(&plan);
	npz_view_close(&v);
}

static int exists(const char *dir, const char *file)
{
	char *p = runrec_path(dir, file);
	struct stat st;
	int yes = stat(p, &st) == 0;

	free(p);
	return yes;
}

/*
 * A sparse run record (forcenet-run(5)): W after recorded loop k is
 * weights.npz with its plastic entries (plastic.npy, positions in the CSR
 * data array) set to row k of weights-values.npy.  The rows are read one
 * at a time.
 */
static void sparse_record(FILE *tab, const struct options *o, const char *dir)
{
	char *wpath = runrec_path(dir, "weights.npz"), *ppath = runrec_path(dir, "plastic.npy");
	char *vpath = runrec_path(dir, "weights-values.npy"), err[320];
	struct npz_view v;
	struct spmotifs plan;
	struct npy_reader vr;
	int64_t *plastic;
	size_t np, count, *loops;
	double *vals, *row;
	int all;

	sparse_open(dir, wpath, &v, &plan);
	if (npz_load_index(ppath, &plastic, &np, err, sizeof err) != 0)
		err_die(EXIT_DATA, "%s: %s", ppath, err);
	all = np == v.nnz;
	for (size_t k = 0; k < np; k++) {
		if (plastic[k] < 0 || (uint64_t)plastic[k] >= v.nnz || (k > 0 && plastic[k] <= plastic[k - 1]))
			err_die(EXIT_DATA, "%s: position %zu: %lld is not in increasing order "
				"within [0, %zu) (the entries of weights.npz)", ppath, k,
				(long long)plastic[k], v.nnz);
		all &= plastic[k] == (int64_t)k;
	}
	if (npy_open(&vr, vpath) != 0)
		err_die(EXIT_DATA, "%s: %s", vpath, vr.err);
	if (vr.ndim != 2 || vr.shape[1] != np)
		err_die(EXIT_DATA, "%s: expected shape (loops, %zu) for the %zu plastic "
			"weights of plastic.npy, got %d-D", vpath, np, np, vr.ndim);
	count = vr.shape[0];
	if (count == 0)
		err_die(EXIT_DATA, "%s: no loop in the record (shape (0, %zu))", vpath, np);
	loops = err_malloc_for(vpath, count, sizeof *loops);
	if (runrec_loop_numbers(dir, count, loops, err, sizeof err) != 0)
		err_die(EXIT_DATA, "%s: %s", dir, err);

	/* W's values, every loop's plastic ones written over them (or, when
	 * every entry is plastic, read in their place) */
	vals = err_malloc_for(wpath, v.nnz ? v.nnz : 1, sizeof *vals);
	for (size_t k = 0; k < v.nnz; k++)
		vals[k] = npz_view_val(&v, k);
	row = all ? vals : err_malloc_for(vpath, np ? np : 1, sizeof *row);
	for (size_t l = 0; l < count; l++) {
		char where[48];

		snprintf(where, sizeof where, "loop %zu: ", loops[l]);
		if (npy_read(&vr, row, np) != 0)
			err_die(EXIT_DATA, "%s: %s", vpath, vr.err);
		for (size_t k = 0; k < np; k++) {
			if (!isfinite(row[k]))
				err_die(EXIT_DATA, "%s: value at [%zu, %zu] is not finite (%g)",
					vpath, l, k, row[k]);
			vals[plastic[k]] = row[k];
		}
		sparse_row(tab, o, dir, where, loops[l], &plan, vals);
	}
	npy_close(&vr);
	if (!all)
		free(row);
	free(vals);
	free(loops);
	free(plastic);
	spmotifs_free(&plan);
	npz_view_close(&v);
	free(wpath);
	free(ppath);
	free(vpath);
}

/*
 * A run directory: its dense weights.npy is returned (to be read as a
 * stack, with its loops in *loops), or its sparse record is read here
 * (NULL returned).
 */
static char *run_dir(FILE *tab, const struct options *o, const char *dir, size_t **loops)
{
	*loops = NULL;
	if (exists(dir, "weights.npy"))
		return runrec_path(dir, "weights.npy");
	if (exists(dir, "weights.npz") && exists(dir, "weights-values.npy") &&
	    exists(dir, "plastic.npy")) {
		sparse_record(tab, o, dir);
		return NULL;
	}
	err_die(EXIT_DATA, "%s: a directory, but no weights record of a run in it "
		"(weights.npy, or weights.npz, plastic.npy and weights-values.npy: "
		"simulate-train --record weights)", dir);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct atomic_file out;
	FILE *tab, *fp;
	char *text = NULL;
	size_t textlen = 0, cap = 0, n;
	double *work = NULL;

	err_init(argv);
	parse_command_line(argc, argv, &o);
	atomic_signals();
	omp_set_num_threads((int)o.threads);

	tab = open_memstream(&text, &textlen);
	if (!tab)
		err_die(EXIT_DATA, "out of memory");
	if (!o.c.no_header) {
		opts_tags_header(&o.c, tab);
		fputs(COLUMNS "\n", tab);
	}
	for (size_t f = 0; f < o.c.nfiles; f++) {
		const char *name = o.c.files[f];
		struct arrayin in;
		char shape[96];
		const double *w;
		char *path = NULL;
		size_t *loops = NULL;
		int rc;

		/* a stored .npz (a zip): mapped, in O(nnz) */
		if (arrayin_regular_starts(name, "PK\3\4", 4)) {
			sparse_file(tab, &o, name);
			continue;
		}
		if (is_dir(name) && !(path = run_dir(tab, &o, name, &loops)))
			continue;
		if (arrayin_open(&in, path ? path : name) != 0)
			err_die(EXIT_DATA, "%s: %s", path ? path : name, in.err);
		if (in.kind == ARRAYIN_NPZ) {
			sparse_stream(tab, &o, name, &in);
			continue;
		}
		if (path) {
			loops = err_malloc_for(name, in.count ? in.count : 1, sizeof *loops);
			if (runrec_loop_numbers(name, in.count, loops, shape, sizeof shape) != 0)
				err_die(EXIT_DATA, "%s: %s", name, shape);
		}
		arrayin_shape_str(&in, shape, sizeof shape);
		if (in.rows != in.cols)
			err_die(EXIT_DATA, "%s: not a square matrix: shape %s%s", name, shape,
				in.kind == ARRAYIN_CSV && in.cols == in.rows + 1 ?
				" (npy-cat's index column first? cut -d, -f2- drops it, "
				"npy-from-csv --stack reads the stack back)" : "");
		n = in.rows;
		if (n < 2)
			err_die(EXIT_DATA, "%s: N = %zu: motifs need N >= 2 (shape %s)",
				name, n, shape);
		if (in.count == 0)
			err_die(EXIT_DATA, "%s: no matrix in the stack (shape %s)", name, shape);
		if (n > cap) {
			free(work);
			cap = n;
			work = err_malloc_for(name, n, 2 * sizeof *work);
		}
		while ((rc = arrayin_view(&in, &w)) == 1) {
			struct motifs m;
			size_t index = in.next - 1;
			char where[48] = "";

			if (motifs_compute(w, n, work, &m) == MOTIFS_NOVAR) {
				if (in.ndim == 3)
					err_die(EXIT_DATA, "%s: matrix %zu: every entry is equal "
						"(zero variance: the motifs divide by it)", name, index);
				err_die(EXIT_DATA, "%s: every entry is equal "
					"(zero variance: the motifs divide by it)", name);
			}
			if (in.ndim == 3)
				snprintf(where, sizeof where, "matrix %zu: ", index);
			check_finite(name, where, &m);
			put_row(tab, &o, name, loops ? loops[index] : index, n, &m);
		}
		if (rc < 0)
			err_die(EXIT_DATA, "%s: %s", path ? path : name, in.err);
		arrayin_close(&in);
		free(loops);
		free(path);
	}
	if (fclose(tab) != 0)
		err_die(EXIT_DATA, "out of memory");

	fp = atomic_open(&out, o.c.output);
	if (fwrite(text, 1, textlen, fp) != textlen)
		err_die(EXIT_DATA, "%s: write error", o.c.output);
	atomic_commit(&out);
	free(text);
	free(work);
	opts_free(&o.c);
	return EXIT_OK;
}
