#include "runrec.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvio.h"
#include "err.h"
#include "summary.h"

char *runrec_path(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = err_malloc(len);

	snprintf(path, len, "%s/%s", dir, name);
	return path;
}

FILE *runrec_create(const char *dir, const char *name)
{
	char *path = runrec_path(dir, name);
	FILE *fp = fopen(path, "w");

	if (!fp)
		err_die(EXIT_DATA, "%s: cannot create", path);
	free(path);
	return fp;
}

void runrec_finish(FILE *fp, const char *dir, const char *name)
{
	if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0)
		err_die(EXIT_DATA, "%s/%s: write error", dir, name);
}

/* An array of the record: atomic, in place (plain), or resumed after
 * `written` values (resume). */
static void writer_in(struct npy_writer *w, const char *dir, const char *name,
		      enum npy_dtype dt, int ndim, const size_t *shape, int plain,
		      const size_t *resume)
{
	char *p = runrec_path(dir, name);

	if (resume)
		npy_writer_reopen(w, p, dt, ndim, shape, *resume);
	else if (plain)
		npy_writer_open_plain(w, p, dt, ndim, shape);
	else
		npy_writer_open(w, p, dt, ndim, shape);
	free(p);
}

/* A table of the record: new, or cut back to size and written on. */
static FILE *table_in(const char *dir, const char *name, const unsigned long long *size)
{
	char *path;
	FILE *fp;

	if (!size)
		return runrec_create(dir, name);
	path = runrec_path(dir, name);
	if (truncate(path, (off_t)*size) != 0 || !(fp = fopen(path, "ab")))
		err_die(EXIT_DATA, "%s: cannot resume: %s", path, strerror(errno));
	free(path);
	return fp;
}

static size_t recorded_loops(const struct runrec_config *cf)
{
	size_t k = 0;

	for (size_t l = 0; l < cf->loops; l++)
		k += !cf->record_loop || cf->record_loop[l];
	return k;
}

static size_t nobs(const struct runrec_config *cf)
{
	return cf->observe ? cf->nobserve : cf->n;
}

size_t runrec_bytes(const struct runrec_config *cf, const struct net *net)
{
	size_t b = 64 * cf->n + cf->n + nobs(cf) * sizeof(double);

	if ((cf->record & REC_WEIGHTS) && !cf->sparse && !cf->whole)
		b += cf->n * cf->n * sizeof(double);
	(void)net;
	return b;
}

static size_t nplastic(const struct runrec_config *cf, const struct net *net)
{
	return cf->whole ? cf->whole->nplastic : net_nplastic(net);
}

int runrec_writes_plastic(const struct runrec_config *cf, const struct net *net)
{
	/* which entries are trained: always beside a sparse record, and for
	 * dense weights when not every input is */
	return (cf->record & REC_WEIGHTS) &&
	       (cf->sparse || nplastic(cf, net) < (cf->whole ? cf->whole->nnz : net->nnz));
}

int runrec_writes_weights(const struct runrec_config *cf, size_t loop)
{
	return (cf->record & REC_WEIGHTS) && (!cf->record_loop || cf->record_loop[loop]);
}

/* plastic.npy: each plastic weight's position in the CSR data array. */
static void write_plastic(const struct runrec_config *cf, const struct net *net)
{
	struct npy_writer w;
	int64_t buf[1024];
	size_t k = 0;

	writer_in(&w, cf->dir, "plastic.npy", NPY_I8, 1, (size_t[]){ nplastic(cf, net) }, cf->plain,
		  NULL);
	if (cf->whole) {
		cf->whole->positions(cf->whole->ctx, &w);
		npy_writer_close(&w);
		return;
	}
	for (size_t i = 0; i < net->n; i++)
		for (size_t x = 0; x < net->prow[i + 1] - net->prow[i]; x++) {
			buf[k++] = (int64_t)net_plastic_pos(net, cf->indptr, i, x);
			if (k == sizeof buf / sizeof buf[0]) {
				npy_write_i64(&w, buf, k);
				k = 0;
			}
		}
	npy_write_i64(&w, buf, k);
	npy_writer_close(&w);
}

static void open_all(struct runrec *rr, const struct runrec_config *cf, const struct net *net,
		     const struct summary *sm, const struct runrec_pos *pos)
{
	const size_t n = cf->n, no = nobs(cf);

	memset(rr, 0, sizeof *rr);
	rr->cf = *cf;
	rr->nrec_loops = recorded_loops(cf);
	rr->line = err_malloc(64 * n + 1);
	rr->buf = err_malloc((no + 1) * sizeof *rr->buf);
	if (cf->observe) {
		rr->obs = err_calloc(n + 1, 1);
		for (size_t k = 0; k < cf->nobserve; k++)
			rr->obs[cf->observe[k]] = 1;
	}
	if (!pos && runrec_writes_plastic(cf, net))
		write_plastic(cf, net);
	if (cf->record & REC_WEIGHTS) {
		if (cf->sparse) {
			writer_in(&rr->ww, cf->dir, "weights-values.npy", NPY_F8, 2,
				  (size_t[]){ rr->nrec_loops, nplastic(cf, net) }, cf->plain,
				  pos ? &pos->written[0] : NULL);
		} else {
			free(rr->buf);
			rr->buf = err_malloc(((cf->whole ? 0 : n * n) + no + 1) * sizeof *rr->buf);
			writer_in(&rr->ww, cf->dir, "weights.npy", NPY_F8, 3,
				  (size_t[]){ rr->nrec_loops, n, n }, cf->plain,
				  pos ? &pos->written[0] : NULL);
		}
	}
	if (cf->record & REC_OUTPUTS)
		writer_in(&rr->wo, cf->dir, "outputs.npy", cf->f32 ? NPY_F4 : NPY_F8, 3,
			  (size_t[]){ cf->loops, cf->steps, no }, cf->plain,
			  pos ? &pos->written[1] : NULL);
	if (cf->record & REC_INPUTS)
		writer_in(&rr->wi, cf->dir, "inputs.npy", cf->f32 ? NPY_F4 : NPY_F8, 3,
			  (size_t[]){ cf->loops, cf->steps, no }, cf->plain,
			  pos ? &pos->written[2] : NULL);
	rr->fsum = table_in(cf->dir, "summary.csv", pos ? &pos->size[0] : NULL);
	if (!pos)
		summary_header(sm, rr->fsum);
	if (cf->record & REC_SPIKES) {
		rr->fspk = table_in(cf->dir, "spikes.csv", pos ? &pos->size[1] : NULL);
		if (!pos)
			fputs("loop,step,neuron\n", rr->fspk);
	}
	if (cf->record & REC_DW) {
		rr->fdw = table_in(cf->dir, "dw.csv", pos ? &pos->size[2] : NULL);
		if (!pos)
			fputs("loop,step,t,log_dw_norm\n", rr->fdw);
	}
	if (cf->record & REC_CURRENTS) {
		rr->fcur = table_in(cf->dir, "currents.csv", pos ? &pos->size[3] : NULL);
		if (!pos)
			fputs("loop,step,neuron,kick,recurrent,noise\n", rr->fcur);
	}
}

void runrec_open(struct runrec *rr, const struct runrec_config *cf, const struct net *net,
		 const struct summary *sm)
{
	open_all(rr, cf, net, sm, NULL);
}

void runrec_resume(struct runrec *rr, const struct runrec_config *cf, const struct net *net,
		   const struct runrec_pos *pos)
{
	open_all(rr, cf, net, NULL, pos);
}

/* The size of a table after a flush. */
static unsigned long long table_size(FILE *fp, const char *dir, const char *name)
{
	off_t at;

	if (!fp)
		return 0;
	if (fflush(fp) != 0 || (at = ftello(fp)) < 0)
		err_die(EXIT_DATA, "%s/%s: write error: %s", dir, name, strerror(errno));
	return (unsigned long long)at;
}

void runrec_mark(struct runrec *rr, struct runrec_pos *pos)
{
	const char *dir = rr->cf.dir;
	struct npy_writer *w[3] = { &rr->ww, &rr->wo, &rr->wi };
	const int bit[3] = { REC_WEIGHTS, REC_OUTPUTS, REC_INPUTS };

	memset(pos, 0, sizeof *pos);
	pos->size[0] = table_size(rr->fsum, dir, "summary.csv");
	pos->size[1] = table_size(rr->fspk, dir, "spikes.csv");
	pos->size[2] = table_size(rr->fdw, dir, "dw.csv");
	pos->size[3] = table_size(rr->fcur, dir, "currents.csv");
	for (int k = 0; k < 3; k++)
		if (rr->cf.record & bit[k]) {
			if (fflush(w[k]->out.fp) != 0)
				err_die(EXIT_DATA, "%s: write error: %s", dir, strerror(errno));
			pos->written[k] = w[k]->written;
		}
}

/* v in decimal at p; returns the end (fast: the spike events can be
 * millions). */
static char *put_uint(char *p, size_t v)
{
	char buf[24];
	int k = sizeof buf;

	do {
		buf[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(p, buf + k, sizeof buf - (size_t)k);
	return p + (sizeof buf - (size_t)k);
}

/* The spike events of one step, "loop,step,neuron" lines, in one write. */
static void put_spikes(struct runrec *rr, size_t loop, size_t it, const struct sim *s)
{
	char head[48], *h = head, *p = rr->line;
	size_t hl;

	h = put_uint(h, loop);
	*h++ = ',';
	h = put_uint(h, it);
	*h++ = ',';
	hl = (size_t)(h - head);
	for (size_t x = 0; x < s->nspikes; x++) {
		size_t i = s->spikes[x];

		if (rr->obs && !rr->obs[i])
			continue;
		memcpy(p, head, hl);
		p = put_uint(p + hl, i);
		*p++ = '\n';
	}
	fwrite(rr->line, 1, (size_t)(p - rr->line), rr->fspk);
}

/* The observed neurons' values of a (all of a without observation). */
static const double *observed(struct runrec *rr, const double *a)
{
	if (!rr->cf.observe)
		return a;
	for (size_t k = 0; k < rr->cf.nobserve; k++)
		rr->buf[k] = a[rr->cf.observe[k]];
	return rr->buf;
}

int runrec_dw_due(const struct runrec_config *cf, size_t it)
{
	return (cf->record & REC_DW) && it % 10 == 0;
}

int runrec_wants_dw(const struct runrec *rr, size_t it)
{
	return runrec_dw_due(&rr->cf, it);
}

void runrec_step(struct runrec *rr, const struct sim *s, size_t loop, size_t it)
{
	const struct runrec_config *cf = &rr->cf;

	if (rr->fspk)
		put_spikes(rr, loop, it, s);
	if (cf->record & REC_OUTPUTS)
		npy_write(&rr->wo, observed(rr, s->r), nobs(cf));
	if (cf->record & REC_INPUTS)
		npy_write(&rr->wi, observed(rr, s->in), nobs(cf));
	if (rr->fcur) {
		double sc = model_noise_scale(&s->cf.mp);

		for (size_t k = 0; k < cf->ntrace; k++) {
			size_t i = cf->trace[k];

			fprintf(rr->fcur, "%zu,%zu,%zu,", loop, it, i);
			csvio_put_double(rr->fcur, it < cf->stim ? s->kick[i] : 0);
			fputc(',', rr->fcur);
			csvio_put_double(rr->fcur, s->vstep[i]);
			fputc(',', rr->fcur);
			csvio_put_double(rr->fcur, s->xi2 ? sc * s->xi2[i] : 0);
			fputc('\n', rr->fcur);
		}
	}
	if (s->trained && runrec_wants_dw(rr, it)) {
		fprintf(rr->fdw, "%zu,%zu,%zu,", loop, it,
			(it - cf->stim) + (loop - 1) * (cf->steps - cf->stim));
		csvio_put_double(rr->fdw, log(sqrt(s->dw2) / cf->w0norm));
		fputc('\n', rr->fdw);
	}
}

void runrec_loop(struct runrec *rr, const struct sim *s, size_t loop)
{
	if (!runrec_writes_weights(&rr->cf, loop))
		return;
	if (rr->cf.whole) {
		rr->cf.whole->weights(rr->cf.whole->ctx, &rr->ww);
	} else if (rr->cf.sparse) {
		npy_write(&rr->ww, s->net->pval, net_nplastic(s->net));
	} else {
		net_dense(s->net, rr->buf);
		npy_write(&rr->ww, rr->buf, rr->cf.n * rr->cf.n);
	}
}

void runrec_close(struct runrec *rr)
{
	const char *dir = rr->cf.dir;

	runrec_finish(rr->fsum, dir, "summary.csv");
	if (rr->fspk)
		runrec_finish(rr->fspk, dir, "spikes.csv");
	if (rr->fdw)
		runrec_finish(rr->fdw, dir, "dw.csv");
	if (rr->fcur)
		runrec_finish(rr->fcur, dir, "currents.csv");
	if (rr->cf.record & REC_WEIGHTS)
		npy_writer_close(&rr->ww);
	if (rr->cf.record & REC_OUTPUTS)
		npy_writer_close(&rr->wo);
	if (rr->cf.record & REC_INPUTS)
		npy_writer_close(&rr->wi);
	free(rr->buf);
	free(rr->line);
	free(rr->obs);
	memset(rr, 0, sizeof *rr);
}

int runrec_loop_numbers(const char *dir, size_t count, size_t *loops, char *err,
			size_t errlen)
{
	char *path = runrec_path(dir, "params.csv");
	FILE *fp = fopen(path, "r");
	struct csvio_table t = { 0 };
	long cl, cr;
	const char *set;
	double total;
	size_t k = 0;
	unsigned char *on = NULL;
	int rc = -1;

	for (size_t i = 0; i < count; i++)
		loops[i] = i;
	free(path);
	if (!fp)
		return 0;
	if (csvio_read_table(fp, &t, err, errlen) != 0) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	cl = csvio_table_col(&t, "loops");
	cr = csvio_table_col(&t, "record_loops");
	if (cl < 0 || cr < 0 || t.rows != 1) {
		csvio_table_free(&t);
		return 0;
	}
	set = t.cells[cr];
	if (csvio_parse_double(t.cells[cl], &total) != 0 || total < 1 || total > 1e9 ||
	    total != floor(total)) {
		snprintf(err, errlen, "params.csv: loops '%s' is not a number of loops",
			 t.cells[cl]);
		goto done;
	}
	if (!strcmp(set, "all") || !*set) {
		if ((double)count != total) {
			snprintf(err, errlen, "params.csv: %g loops recorded, the weights "
				 "record holds %zu", total, count);
			goto done;
		}
		rc = 0;
		goto done;
	}
	on = err_calloc((size_t)total, 1);
	for (const char *p = set; *p;) {
		size_t len = strcspn(p, "+");
		char buf[32];
		double v;

		if (len == 0 || len >= sizeof buf)
			break;
		memcpy(buf, p, len);
		buf[len] = 0;
		if (!strcmp(buf, "last"))
			v = total - 1;
		else if (csvio_parse_double(buf, &v) != 0 || v < 0 || v >= total || v != floor(v))
			break;
		on[(size_t)v] = 1;
		p += len + (p[len] == '+');
		if (!*p)
			rc = 0;
	}
	if (rc != 0) {
		snprintf(err, errlen, "params.csv: record_loops '%s' is not a list of loops", set);
		goto done;
	}
	for (size_t l = 0; l < (size_t)total; l++)
		if (on[l]) {
			if (k < count)
				loops[k] = l;
			k++;
		}
	if (k != count) {
		snprintf(err, errlen, "params.csv: record_loops '%s' names %zu loop%s, the "
			 "weights record holds %zu", set, k, k == 1 ? "" : "s", count);
		rc = -1;
	}
done:
	free(on);
	csvio_table_free(&t);
	return rc;
}
