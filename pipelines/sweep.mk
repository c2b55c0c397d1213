# pipelines/sweep.mk: the study's sweep, composed from the tools by make.
#
#   make sweep            the notebook's grid (pipelines/params/notebook.mk):
#                         runs, tables and figures under results/notebook/
#   make demo             the same on the small grid (params/quick.mk),
#                         under results/quick/
#   make sweep PARAMS=sequences   the sequence study (params/sequences.mk):
#                         travelling-bump targets, omegagauss a dimension
#                         of the grid, under results/sequences/
#   make sweep PARAMS=scaling     the study against network size
#                         (params/scaling.mk): sparse networks of N = 200
#                         to 20000 at in-degree 60, under results/scaling/
#   make analysis         motifs, dimensionality, tables and figures from the
#                         run folders that exist; never simulates
#   make clean-analysis   remove the analysis outputs, keep the runs (and
#                         forget the analysis options given before)
#   make clean-results    remove the results folder R entirely
#
# Variables (command line):
#   PARAMS=notebook|quick|sequences|sequences-quick|scaling|scaling-quick
#                           parameter file in pipelines/params/ (sweep,
#                           analysis, clean-*;
#                           demo implies quick); default: the one R
#                           was made with, else notebook
#   R=DIR                   results folder (default $(RESULTS)/$(PARAMS))
#   RESULTS=DIR             where the results folders are (default results)
#   LAUNCH='srun -N1 -n1 --exclusive'   prefix of every simulation, to run
#                           them through a scheduler
#   SIM_TOOL=simulate-train-mpi   every run one MPI job (make mpi), started
#                           by LAUNCH, e.g. LAUNCH='srun --mpi=pmix -n 8'
#                           (the same results as simulate-train's; no
#                           checkpoints: a killed run starts again)
#   SWEEP_JOBS=N            parallel jobs when make is not given -j
#                           (default: the number of cores)
#   V=1                     show the commands, not one line per step
#   TARGET_FILE=FILE        every seed's target is FILE, a (steps, N) .npy
#                           or numeric CSV (the notebook's target file), not
#                           gen-target's (a path from this folder)
#   and any variable of the parameter file, e.g. DPR_SKIP=300.
#
# Layout of $(R): inputs/ (weights_seedS.npy, target_seedS.npy and .csv,
# one per seed, shared by every pqif and vrest: paired comparisons),
# runs/pqifP_vrestV_seedS/ (simulate-train run folders; pqifP_seedS at
# pqif = 1), motifs.csv, dpr.csv, summary.csv, figures/*.png, analysis/
# (per-run tables and plot data), sim-options.txt and analysis-options.txt
# (the options the runs and the analysis were made with), and options.mk.
#
# A parameter set may sweep one option of gen-target as a dimension of the
# grid (TARGET_SWEEP, e.g. omegagauss, its values in the variable of its
# name in capitals, OMEGAGAUSS): it becomes the first key of the targets'
# names (target_omegagaussW_seedS.npy, one per value and seed), of the run
# names (omegagaussW_pqifP_vrestV_seedS) and of the tables (a first key
# column), and the figures of the whole grid are drawn once per value
# (figures/motifs_omegagaussW.png, ...) and compared in one more
# (figures/by-omegagauss.png).
#
# Or it may sweep the network size (SIZES, the scaling study): every size
# and seed gets its own sparse network of in-degree INDEGREE (init-weights
# -K: inputs/weights_neuronsN_seedS.npz) and target
# (target_neuronsN_seedS.npy), neurons is the first key of the run names
# (neuronsN_pqifP_vrestV_seedS) and of the tables, the runs record their
# weights sparse (motifs reads the run directory), the figures of the whole
# grid are drawn once per size, and figures/scaling.png shows the motifs
# and PR, PR_bc against N.  SIM_OPTIONS are more options of every
# simulate-train (scaling.mk: --observe, --record-loops).
#
# options.mk records the parameter set and the analysis options given on
# the command line, and every later make on the folder reads it back: a
# plain `make analysis R=DIR` uses the parameter set DIR was made with, and
# `make sweep` after `make sweep DPR_SKIP=300` keeps DPR_SKIP=300 (a value
# given again replaces it; make clean-analysis forgets them).
#
# Every output appears atomically (a temporary renamed when complete; run
# folders likewise), so an interrupted make never leaves a target that
# looks done.  Runs depend on sim-options.txt; each analysis step and
# figure depends on a file in analysis/options/ that holds the options it
# uses.  Option files are rewritten only when their content changes, so a
# change of an analysis option redoes only what uses it.

SWEEP_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# Parallel by default; a -j given by the user (or a parent make) wins.
sweep_j     = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(SWEEP_JOBS))

.PHONY: sweep demo analysis clean-analysis clean-results deps-sweep

deps-sweep:
	@scripts/deps sweep

# The tools first (in parallel too), then the sweep's own graph.
sweep demo analysis: | deps-sweep
	@$(MAKE) --no-print-directory $(sweep_j) all $(if $(filter simulate-train-mpi,$(SIM_TOOL)),mpi)
	@$(MAKE) --no-print-directory $(sweep_j) \
	  SWEEP_INNER=$(if $(filter analysis,$@),analysis,sweep) \
	  $(if $(filter demo,$@),PARAMS=quick) sweep-results

clean-analysis clean-results:
	@$(MAKE) --no-print-directory SWEEP_INNER=clean sweep-$@

# ---------------------------------------------------------------------------
# The sweep's dependency graph: read only by the inner make above.
ifneq ($(SWEEP_INNER),)

# The parameter set: PARAMS as given (or demo's), else the one the results
# folder R was made with (its options.mk), else notebook.
RESULTS  ?= results
recorded_params = $(shell sed -n 's/^PARAMS := //p' '$(1)/options.mk' 2>/dev/null)
ifeq ($(filter command line environment,$(origin PARAMS)),)
PARAMS   := $(or $(if $(R),$(call recorded_params,$(R))),notebook)
endif
R        ?= $(RESULTS)/$(PARAMS)
RD       := $(abspath $(R))
ifneq ($(SWEEP_INNER),clean)
ifneq ($(filter-out $(PARAMS),$(call recorded_params,$(RD))),)
$(error sweep: $(RD) holds the results of PARAMS=$(call recorded_params,$(RD)), not PARAMS=$(PARAMS): choose another R, or remove it first (make clean-results R=$(R)))
endif
endif

ifeq ($(wildcard pipelines/params/$(PARAMS).mk),)
$(error sweep: PARAMS=$(PARAMS): no file pipelines/params/$(PARAMS).mk)
endif
include pipelines/params/$(PARAMS).mk

# The target: gen-target's options (TARGET_OPTIONS, each valued by the
# variable of its name in capitals: --sg-index by SG_INDEX), and the option
# swept as a dimension of the grid, if any (TARGET_SWEEP).
upper       = $(shell printf '%s' '$(1)' | tr 'a-z-' 'A-Z_')
TSWEEP      := $(strip $(TARGET_SWEEP))
ifneq ($(words $(TSWEEP)),$(words $(firstword $(TSWEEP))))
$(error sweep: TARGET_SWEEP=$(TSWEEP): one option at most)
endif
TVALUES     := $(if $(TSWEEP),$($(call upper,$(TSWEEP))))
ifneq ($(and $(TSWEEP),$(if $(TVALUES),,none)),)
$(error sweep: TARGET_SWEEP=$(TSWEEP) but $(call upper,$(TSWEEP)) gives no values)
endif
TARGET_VARS := $(foreach o,$(TARGET_OPTIONS),$(call upper,$(o)))
TARGET_ARGS := $(foreach o,$(TARGET_OPTIONS),--$(o) $($(call upper,$(o))))
# Or a target of one's own (TARGET_FILE): a (steps, N) .npy, or a numeric
# CSV (the notebook's target file, with its header row, read by
# npy-from-csv), the target of every seed instead of gen-target's.
TFILE       := $(if $(strip $(TARGET_FILE)),$(abspath $(strip $(TARGET_FILE))))
ifneq ($(TFILE),)
ifeq ($(wildcard $(TFILE)),)
$(error sweep: TARGET_FILE=$(TARGET_FILE): no such file)
endif
ifneq ($(TSWEEP),)
$(error sweep: TARGET_FILE=$(TARGET_FILE) with TARGET_SWEEP=$(TSWEEP): a target file has no option to sweep)
endif
endif
# The network size as a dimension of the grid (SIZES, the scaling study):
# the key neurons, sparse networks of in-degree INDEGREE.
NSWEEP      := $(if $(strip $(SIZES)),neurons)
ifneq ($(and $(NSWEEP),$(TSWEEP)),)
$(error sweep: SIZES with TARGET_SWEEP=$(TSWEEP): one dimension beyond pqif, vrest and seed at most)
endif
ifneq ($(and $(NSWEEP),$(TFILE)),)
$(error sweep: TARGET_FILE=$(TARGET_FILE) with SIZES: a target file has one size)
endif
# The grid's dimension beyond pqif, vrest and seed, if any, and its values;
# the weights' file: a dense .npy, or a sparse .npz (SIZES).
GKEY        := $(or $(TSWEEP),$(NSWEEP))
GVALUES     := $(or $(TVALUES),$(strip $(SIZES)))
WEXT        := $(if $(NSWEEP),npz,npy)
# The keys of run names and tables, in order.
KEYS        := $(GKEY) pqif vrest seed

# Sticky analysis options: those of options.mk (given on an earlier command
# line) override the parameter file, and those of this command line
# override both (make gives command-line values precedence) and are added.
ANA_VARS    := DPR_SKIP DPR_LOOPS DPR_CORR_STEPS DPR_SAMPLES FIG_RUN FIG_NEURONS FIG_VREST FIG_SEED
# (This file and the option files below are compared with what they should
# hold through strip: make 4.3's $(file <) may keep the final newline, when
# its buffer grows while it reads, and a newline more is the same options.)
OPTIONS_MK  := $(RD)/options.mk
OPTIONS_OLD := $(file <$(OPTIONS_MK))
$(eval $(OPTIONS_OLD))
STICKY      := $(sort $(filter $(ANA_VARS),$(shell sed -n 's/^\([A-Z0-9_]*\) := .*/\1/p' '$(OPTIONS_MK)' 2>/dev/null)) \
  $(foreach v,$(ANA_VARS),$(if $(filter command line,$(origin $(v))),$(v))))
define newline


endef
empty :=
space := $(empty) $(empty)
comma := ,
commas = $(subst $(space),$(comma),$(strip $(1)))
define OPTIONS_HEAD
# Written by make for this results folder and read back by every make on
# it: the parameter set, and the analysis options given on a command line
# (given again, a value replaces the one here; make clean-analysis forgets
# them).
endef
options_text = $(OPTIONS_HEAD)$(newline)PARAMS := $(PARAMS)$(subst $(space)$(newline),$(newline),$(foreach v,$(1),$(newline)$(v) := $($(v))))
OPTIONS_NEW := $(call options_text,$(STICKY))

.DELETE_ON_ERROR:
.PHONY: sweep-results sweep-clean-analysis sweep-clean-results sweep-force sweep-options
AD       := $(RD)/analysis
FD       := $(RD)/figures
BIN      ?= $(CURDIR)/$(B)/bin
PIPE     := $(CURDIR)/pipelines
LAUNCH   ?=
SIM_TOOL ?= simulate-train
GNUPLOT  ?= gnuplot
# One short line per step (the Makefile's say and say_and, the recipes made
# once per run using say_and: one line each, one shell each), with paths
# relative to the results folder; V=1 shows the commands instead.
short     = $(patsubst $(RD)/%,%,$(1))
# What a tool killed while writing PATHS leaves (its hidden temporaries
# .NAME.tmp.XXXXXX, see atomic.h): removed before the tool writes them
# again, so that a sweep interrupted anywhere and finished by make leaves
# nothing behind.
stale     = rm -rf $(foreach p,$(1),$(dir $(p)).$(notdir $(p)).tmp.*)
# A run killed part-way leaves .NAME.partial with its last checkpoint
# (simulate-train --checkpoint): the shell variable resume is set to
# --resume to finish it, unless one of the run's inputs is newer (then it
# is removed and the run starts again).
resume    = p=$(dir $(1)).$(notdir $(1)).partial; resume=; if [ -d "$$$$p" ]; then \
	      resume=--resume; for f in $$^; do [ "$$$$p" -nt "$$$$f" ] || resume=; done; \
	      [ -n "$$$$resume" ] || rm -rf "$$$$p"; fi

# Run names carry their keys; vrest does not apply at pqif = 1.  The value
# of the grid's further dimension, if any, comes first (argument 4).
run_name  = $(if $(4),$(GKEY)$(4)_)$(if $(filter 1 1.0,$(1)),pqif$(1)_seed$(3),pqif$(1)_vrest$(2)_seed$(3))
key       = $(patsubst $(1)%,%,$(filter $(1)%,$(subst _, ,$(2))))
run_pqif  = $(call key,pqif,$(1))
run_vrest = $(or $(call key,vrest,$(1)),nan)
run_seed  = $(call key,seed,$(1))
run_gval  = $(if $(GKEY),$(call key,$(GKEY),$(1)))
run_tags  = $(if $(GKEY),--tag $(GKEY)=$(call run_gval,$(1))) \
  --tag pqif=$(call run_pqif,$(1)) --tag vrest=$(call run_vrest,$(1)) --tag seed=$(call run_seed,$(1))
# The names of a run's target (without .npy or .csv) and network in inputs/.
run_target = target_$(if $(GKEY),$(GKEY)$(call run_gval,$(1))_)seed$(call run_seed,$(1))
run_weights = weights_$(if $(NSWEEP),neurons$(call run_gval,$(1))_)seed$(call run_seed,$(1)).$(WEXT)
# One order for every table: the further dimension up, pqif up, vrest as
# in the notebook (down), seed up.
KEYS_AWK  = awk -v keys=$(call commas,$(KEYS)) -f $(PIPE)/run-name.awk
ifeq ($(GKEY),)
SORT_KEYS := -k1,1g -k2,2gr -k3,3g
else
SORT_KEYS := -k1,1g -k2,2g -k3,3gr -k4,4g
endif
sort_runs = $(shell printf '%s\n' $(1) | $(KEYS_AWK) -f $(PIPE)/run-keys.awk | sort $(SORT_KEYS) | cut -d' ' -f$(words x $(KEYS)))

ifeq ($(SWEEP_INNER),analysis)
# Whatever run folders exist (complete ones have summary.csv).
RUNS := $(call sort_runs,$(notdir $(patsubst %/,%,$(dir $(wildcard \
  $(RD)/runs/$(if $(GKEY),$(GKEY)*_)pqif*/summary.csv)))))
# None: name the results folders that have runs, if any.
ifeq ($(RUNS),)
HAVE_RUNS := $(filter-out $(RD),$(sort $(patsubst %/runs/,%,$(dir $(patsubst %/,%,$(dir \
  $(wildcard $(RESULTS)/*/runs/pqif*/summary.csv $(RESULTS)/*/runs/*_pqif*/summary.csv)))))))
$(error analysis: no run folders in $(RD)/runs; $(if $(HAVE_RUNS),results are in: \
  $(subst $(space)make, or make,$(HAVE_RUNS:%=make analysis R=%)),run 'make sweep' or 'make demo' first, or name a results folder: R=DIR))
endif
else
RUNS := $(call sort_runs,$(foreach t,$(or $(GVALUES),-),$(foreach s,$(SEEDS),$(foreach p,$(PQIF),$(foreach v,$(VREST),\
  $(call run_name,$(p),$(v),$(s),$(filter-out -,$(t))))))))
endif
RUNS := $(strip $(RUNS))

# Option files, rewritten only when their content changes.
SIM_OPTS := NEURONS=$(NEURONS) DENSITY=$(DENSITY) GSYN=$(GSYN) STEPS=$(STEPS) \
  $(if $(TFILE),TARGET_FILE=$(TFILE),$(foreach v,$(TARGET_VARS),$(v)=$($(v)))) VT=$(VT) DT=$(DT) \
  TAU_S=$(TAU_S) ALPHA=$(ALPHA) SIGMA=$(SIGMA) STIM_STEPS=$(STIM_STEPS) \
  STIM_AMP=$(STIM_AMP) LOOPS=$(LOOPS) TRAIN_LOOPS=$(TRAIN_LOOPS) \
  RECORD=$(RECORD) FLOAT32=$(FLOAT32) INPUT_RUNS=$(INPUT_RUNS) \
  $(if $(NSWEEP),SIZES=$(SIZES) INDEGREE=$(INDEGREE)) $(if $(SIM_OPTIONS),SIM_OPTIONS=$(SIM_OPTIONS))
ANA_OPTS := DPR_SKIP=$(DPR_SKIP) DPR_LOOPS=$(DPR_LOOPS) DPR_CORR_STEPS=$(DPR_CORR_STEPS) DPR_SAMPLES=$(DPR_SAMPLES) \
  FIG_RUN=$(FIG_RUN) FIG_NEURONS=$(FIG_NEURONS) FIG_VREST=$(FIG_VREST) \
  FIG_SEED=$(FIG_SEED) LOOPS=$(LOOPS) TRAIN_LOOPS=$(TRAIN_LOOPS) STIM_STEPS=$(STIM_STEPS)
SIM_OPTS := $(strip $(SIM_OPTS))
ANA_OPTS := $(strip $(ANA_OPTS))

$(RD)/sim-options.txt: OPTS_TEXT = $(SIM_OPTS)
$(RD)/analysis-options.txt: OPTS_TEXT = $(ANA_OPTS)
ifneq ($(strip $(file <$(RD)/sim-options.txt)),$(SIM_OPTS))
$(RD)/sim-options.txt: sweep-force
endif
ifneq ($(strip $(file <$(RD)/analysis-options.txt)),$(ANA_OPTS))
$(RD)/analysis-options.txt: sweep-force
endif
sweep-force: ;

# One option file per analysis step or figure, holding the options it uses
# (LOOPS, TRAIN_LOOPS and STIM_STEPS too: an analysis of run folders from
# elsewhere takes them from the parameter file).
opt = $(AD)/options/$(1).txt
opt_text = $(strip $(foreach v,$(1),$(v)=$($(v))))
define opt_rule
OPT_FILES += $(call opt,$(1))
$(call opt,$(1)): OPTS_TEXT = $$(call opt_text,$(2))
ifneq ($$(strip $$(file <$(call opt,$(1)))),$$(call opt_text,$(2)))
$(call opt,$(1)): sweep-force
endif
endef
$(eval $(call opt_rule,dpr,DPR_SKIP DPR_LOOPS DPR_CORR_STEPS DPR_SAMPLES))
$(eval $(call opt_rule,loops,TRAIN_LOOPS))
$(eval $(call opt_rule,target-vs-input,FIG_RUN FIG_NEURONS LOOPS TRAIN_LOOPS STIM_STEPS))
$(eval $(call opt_rule,fig-run,FIG_RUN LOOPS TRAIN_LOOPS))
$(eval $(call opt_rule,target-vs-input-image,FIG_RUN LOOPS TRAIN_LOOPS STIM_STEPS))
$(eval $(call opt_rule,dw-log,FIG_VREST FIG_SEED))
$(RD)/sim-options.txt $(RD)/analysis-options.txt $(OPT_FILES):
	@mkdir -p $(@D)
	@printf '%s\n' '$(OPTS_TEXT)' > $@.tmp $(commit)

# options.mk: rewritten when its content changes.
sweep-options:
ifneq ($(strip $(OPTIONS_OLD)),$(strip $(OPTIONS_NEW)))
	@mkdir -p $(RD)
	@printf '%s\n' '$(subst $(newline),' ',$(OPTIONS_NEW))' > $(OPTIONS_MK).tmp && \
	  mv $(OPTIONS_MK).tmp $(OPTIONS_MK)
endif

# ---------------------------------------------------------------- simulation
ifeq ($(SWEEP_INNER),sweep)
# The overall progress line, printed when a run completes (on a terminal
# only): the runs this make will simulate, its start, and a counter file of
# its own (make's process id).
ifneq ($(strip $(file <$(RD)/sim-options.txt)),$(SIM_OPTS))
SWEEP_TODO := $(words $(RUNS))
else
SWEEP_TODO := $(shell TARGET_SRC=$(or $(TFILE),$(BIN)/gen-target) sh $(PIPE)/sweep-progress.sh todo $(RD) $(BIN) $(RUNS))
endif
SWEEP_T0   := $(shell date +%s)
progress    = sh $(PIPE)/sweep-progress.sh done $(RD)/.progress.$(SWEEP_PID) $(SWEEP_TODO) $(SWEEP_T0)
SWEEP_PID  := $(shell echo $$PPID)

$(RD)/inputs/weights_seed%.npy: $(RD)/sim-options.txt $(BIN)/init-weights
	@mkdir -p $(@D)
	$(call say,init-weights)
	$(Q)$(call stale,$@) && \
	  $(BIN)/init-weights -q -N $(NEURONS) -p $(DENSITY) --gsyn $(GSYN) --seed $* -o $@
# A network of each size (SIZES) and seed: weights_neuronsN_seedS.npz.
$(RD)/inputs/weights_neurons%.npz: $(RD)/sim-options.txt $(BIN)/init-weights
	@mkdir -p $(@D)
	$(call say,init-weights)
	$(Q)$(call stale,$@) && $(BIN)/init-weights -q -N $(call key,neurons,neurons$*) \
	  -K $(INDEGREE) --gsyn $(GSYN) --seed $(call key,seed,$*) -o $@

# target_seedS.csv (per-neuron parameters) is written beside the array, and
# committed after it: both are targets, so that a gen-target killed between
# the two renames is run again.  The stem is seedS, or omegagaussW_seedS
# with a target dimension (TARGET_SWEEP=omegagauss): its keys give the seed
# and the swept option's value, or neuronsN_seedS (SIZES): the size.
ifeq ($(TFILE),)
$(RD)/inputs/target_%.npy $(RD)/inputs/target_%.csv: $(RD)/sim-options.txt $(BIN)/gen-target
	@mkdir -p $(@D)
	$(call say,gen-target,$(RD)/inputs/target_$*.npy)
	$(Q)$(call stale,$(RD)/inputs/target_$*.npy $(RD)/inputs/target_$*.csv) && \
	  $(BIN)/gen-target -q -N $(if $(NSWEEP),$(call key,neurons,$*),$(NEURONS)) --steps $(STEPS) $(TARGET_ARGS) \
	  $(if $(TSWEEP),--$(TSWEEP) $(call key,$(TSWEEP),$*)) --seed $(call key,seed,$*) \
	  --params $(RD)/inputs/target_$*.csv -o $(RD)/inputs/target_$*.npy
TARGET_CSV = $(RD)/inputs/$(call run_target,$(1)).csv
else
# TARGET_FILE, copied (a CSV converted) for every seed: no per-neuron table.
$(RD)/inputs/target_%.npy: $(RD)/sim-options.txt $(TFILE) $(BIN)/npy-from-csv
	@mkdir -p $(@D)
	$(call say,target,$@)
	$(Q)$(call stale,$@.tmp) && $(if $(filter %.csv %.CSV,$(TFILE)),$(BIN)/npy-from-csv -q -o $@.tmp $(TFILE), \
	  cp $(TFILE) $@.tmp) $(commit)
endif

# A run is done when its folder exists: simulate-train builds it under a
# hidden temporary name and renames it when complete.  Leftovers of a killed
# run are removed first.  Paths are relative to $(RD), so that params.csv
# does not depend on where the results folder is.
define run_rule
$(RD)/runs/$(1)/summary.csv: $(RD)/inputs/$(call run_weights,$(1)) \
  $(RD)/inputs/$(call run_target,$(1)).npy $(TARGET_CSV) \
  $(RD)/sim-options.txt $(BIN)/$(SIM_TOOL)
	@$(call say_and,$(SIM_TOOL),$(RD)/runs/$(1)) mkdir -p $(RD)/runs && \
	  $(call stale,$(RD)/runs/$(1)) && $(call resume,$(RD)/runs/$(1)) && cd $(RD) && \
	  $(if $(V),set -x && )$$(LAUNCH) $(BIN)/$(SIM_TOOL) -q --force -o runs/$(1) \
	  -w inputs/$(call run_weights,$(1)) \
	  -t inputs/$(call run_target,$(1)).npy \
	  --seed $(call run_seed,$(1)) --pqif $(call run_pqif,$(1)) \
	  $(if $(filter nan,$(call run_vrest,$(1))),,--vt $(VT) --vrest $(call run_vrest,$(1))) \
	  --loops $(LOOPS) --train-loops $(TRAIN_LOOPS) --dt $(DT) --tau-s $(TAU_S) \
	  --alpha $(ALPHA) --sigma $(SIGMA) --stim-steps $(STIM_STEPS) --stim-amp $(STIM_AMP) \
	  --record $(RECORD)$(if $(filter $(1),$(INPUT_RUNS)),$(comma)inputs) $(FLOAT32) $(SIM_OPTIONS) \
	  $(if $(filter simulate-train,$(SIM_TOOL)),--checkpoint $$$$resume) && \
	  $(progress)
endef
$(foreach r,$(RUNS),$(eval $(call run_rule,$(r))))

# Each run waits (order only) for the analysis of the run two before it, so
# that make analyses runs as they finish instead of after the last one.
RUN_PAIRS := $(foreach w,$(join $(addsuffix @,$(wordlist 3,$(words $(RUNS)),$(RUNS))),$(RUNS)),$(if $(findstring @,$(w)),$(w)))
$(foreach p,$(RUN_PAIRS),$(eval $(RD)/runs/$(firstword $(subst @, ,$(p)))/summary.csv: | \
  $(AD)/motifs/$(lastword $(subst @, ,$(p))).csv $(AD)/dpr/$(lastword $(subst @, ,$(p))).csv))
endif

# ------------------------------------------------------------------ analysis
SUMMARIES := $(RUNS:%=$(RD)/runs/%/summary.csv)
MOTIF_PARTS := $(RUNS:%=$(AD)/motifs/%.csv)
DPR_PARTS := $(RUNS:%=$(AD)/dpr/%.csv)
# The values of the further dimension among the runs, in the runs' order.
uniq = $(if $(1),$(firstword $(1)) $(call uniq,$(filter-out $(firstword $(1)),$(1))))
GROUP_VALUES := $(strip $(call uniq,$(foreach r,$(RUNS),$(call run_gval,$(r)))))
# The figures of the whole grid are drawn once, or once per value of the
# further dimension: in_groups gives their names (PREFIX SUFFIX:
# PREFIX_omegagaussW.SUFFIX, PREFIX_neuronsN.SUFFIX).
in_groups = $(if $(GKEY),$(foreach v,$(GROUP_VALUES),$(1)_$(GKEY)$(v)$(2)),$(1)$(2))
FIGURES := $(foreach f,motifs dpr training,$(call in_groups,$(FD)/$(f),.png))
FIG_TARGET := $(call run_target,$(FIG_RUN))
# The single-run figures need FIG_RUN; dw-log needs the runs of FIG_SEED at
# FIG_VREST.  Run folders from elsewhere may lack them: those are left out.
# The target figures also need the run's inputs.npy and its target;
# a sweep makes them (INPUT_RUNS), other run folders may not have them.
ifneq ($(filter $(FIG_RUN),$(RUNS)),)
FIGURES += $(addprefix $(FD)/,raster.png weights-hist.png)
FIG_FILES := $(RD)/runs/$(FIG_RUN)/inputs.npy $(RD)/inputs/$(FIG_TARGET).npy
ifeq ($(SWEEP_INNER),sweep)
FIGURES += $(FD)/target-vs-input.png $(FD)/target-vs-input-image.png
else ifeq ($(words $(wildcard $(FIG_FILES))),2)
FIGURES += $(FD)/target-vs-input.png $(FD)/target-vs-input-image.png
else
$(warning sweep: no runs/$(FIG_RUN)/inputs.npy or inputs/$(FIG_TARGET).npy in $(RD): no target figures)
endif
else ifneq ($(FIG_RUN),)
$(warning sweep: no run $(FIG_RUN) (FIG_RUN) in $(RD)/runs: no single-run figures)
endif
TABLES := $(RD)/motifs.csv $(RD)/dpr.csv $(RD)/summary.csv

# Recipes write $@.tmp; this renames it when complete, or removes it.
commit = && mv $@.tmp $@ || { rm -f $@.tmp; exit 1; }

# Header row once, then the rows of every part in run order.
CAT_CSV := awk 'FNR == 1 && NR > 1 { next } { print }'

# Tools run from $(RD) so that the path column holds runs/NAME/...: the
# same whatever the results folder is called.  dpr is single-threaded:
# OPENBLAS_NUM_THREADS=1 keeps OpenBLAS from starting (and spinning) its
# thread pool, which halves dpr's CPU time beside the simulations.  dpr
# runs quietly (-q): what it would warn of is in dpr.csv's flag column,
# and the dpr figure draws and counts the flagged rows.
# The tools write their output under a temporary name and rename it when
# complete (-o), so a killed analysis leaves no part that looks done.
define analysis_rule
$(AD)/motifs/$(1).csv: $(RD)/runs/$(1)/summary.csv $(BIN)/motifs | $(AD)/motifs
	@$(call say_and,motifs,$(RD)/runs/$(1)) $(call stale,$(AD)/motifs/$(1).csv) && cd $(RD) && \
	  $(if $(V),set -x && )$(BIN)/motifs $(call run_tags,$(1)) -o $$@ runs/$(1)$(if $(NSWEEP),,/weights.npy)
$(AD)/dpr/$(1).csv: $(RD)/runs/$(1)/summary.csv $(call opt,dpr) $(BIN)/dpr | $(AD)/dpr
	@$(call say_and,dpr,$(RD)/runs/$(1)) $(call stale,$(AD)/dpr/$(1).csv) && cd $(RD) && \
	  $(if $(V),set -x && )OPENBLAS_NUM_THREADS=1 $(BIN)/dpr -q $(call run_tags,$(1)) --skip $(DPR_SKIP) \
	  --loops $(DPR_LOOPS) --corr-steps $(DPR_CORR_STEPS) $(if $(DPR_SAMPLES),--samples $(DPR_SAMPLES)) \
	  -o $$@ runs/$(1)/outputs.npy
endef
$(foreach r,$(RUNS),$(eval $(call analysis_rule,$(r))))
$(AD)/motifs $(AD)/dpr:
	@mkdir -p $@

$(RD)/motifs.csv: $(MOTIF_PARTS)
	$(call say,table)
	$(Q)$(CAT_CSV) $^ > $@.tmp $(commit)
$(RD)/dpr.csv: $(DPR_PARTS)
	$(call say,table)
	$(Q)$(CAT_CSV) $^ > $@.tmp $(commit)
$(RD)/summary.csv: $(SUMMARIES) $(PIPE)/run-name.awk $(PIPE)/tag-runs.awk
	$(call say,table)
	$(Q)$(KEYS_AWK) -f $(PIPE)/tag-runs.awk $(SUMMARIES) > $@.tmp $(commit)

# ------------------------------------------------------------------- figures
PD := $(AD)/plot
FIG_DIR := $(RD)/runs/$(FIG_RUN)
# gnuplot writes a temporary, renamed when complete.
plot = $(GNUPLOT) -e "out='$@.tmp'; $(2)" $(PIPE)/plots/$(1).gp $(commit)
group = awk -F, -f $(PIPE)/group-stats.awk
# In the rules of the figures of the whole grid, the stem $* is empty, or
# _omegagaussW (_neuronsN) for the figure of one value of the further
# dimension: the rows of that value, and the value in the figure's title
# (gnuplot's sub).
group_where = $(if $*,-v where=$(GKEY)=$(call key,$(GKEY),$*))
group_sub   = $(if $*,$(comma) $(GKEY) $(call key,$(GKEY),$*))
flags_where = $(if $*,-v key=$(GKEY) -v value=$(call key,$(GKEY),$*))

$(call in_groups,$(PD)/motifs,.dat): $(PD)/motifs%.dat: $(RD)/motifs.csv $(PIPE)/group-stats.awk
	@mkdir -p $(@D)
	$(call say,plot data)
	$(Q)$(group) $(group_where) -v keys=pqif,loop -v cols=sigma2,tau_rec,tau_div,tau_con,tau_chn,R $< > $@.tmp $(commit)
$(call in_groups,$(FD)/motifs,.png): $(FD)/motifs%.png: $(PD)/motifs%.dat $(PIPE)/plots/motifs.gp $(call opt,loops)
	@mkdir -p $(@D)
	$(call say,gnuplot)
	$(Q)$(call plot,motifs,data='$<'; train_loops=$(TRAIN_LOOPS); sub='$(group_sub)')

$(call in_groups,$(PD)/dpr,.dat): $(PD)/dpr%.dat: $(RD)/dpr.csv $(PIPE)/group-stats.awk $(call opt,loops)
	@mkdir -p $(@D)
	$(call say,plot data)
	$(Q)$(group) $(group_where) -v keys=loop,pqif -v cols=PR,PR_bc -v prepost=$(TRAIN_LOOPS) $< > $@.tmp $(commit)
# The rows dpr flagged (PR_bc outside [1, N], M too small): the figure
# shows them and says how many.
$(call in_groups,$(PD)/dpr-flags,.dat): $(PD)/dpr-flags%.dat: $(RD)/dpr.csv $(PIPE)/dpr-flags.awk $(call opt,loops)
	@mkdir -p $(@D)
	$(call say,plot data)
	$(Q)awk -F, -f $(PIPE)/dpr-flags.awk $(flags_where) -v prepost=$(TRAIN_LOOPS) $< > $@.tmp $(commit)
$(call in_groups,$(FD)/dpr,.png): $(FD)/dpr%.png: $(PD)/dpr%.dat $(PD)/dpr-flags%.dat $(PIPE)/plots/dpr.gp
	@mkdir -p $(@D)
	$(call say,gnuplot)
	$(Q)$(call plot,dpr,data='$<'; flags='$(PD)/dpr-flags$*.dat'; sub='$(group_sub)')

$(call in_groups,$(PD)/training,.dat): $(PD)/training%.dat: $(RD)/summary.csv $(PIPE)/group-stats.awk
	@mkdir -p $(@D)
	$(call say,plot data)
	$(Q)$(group) $(group_where) -v keys=pqif,loop -v cols=mse_all,corr_all,rate_all $< > $@.tmp $(commit)
$(call in_groups,$(FD)/training,.png): $(FD)/training%.png: $(PD)/training%.dat $(PIPE)/plots/training.gp $(call opt,loops)
	@mkdir -p $(@D)
	$(call say,gnuplot)
	$(Q)$(call plot,training,data='$<'; train_loops=$(TRAIN_LOOPS); sub='$(group_sub)')

# The runs of FIG_SEED at FIG_VREST (or pqif = 1), of the further
# dimension's value $(1) if any: the dW-log figure of that value.
dw_runs = $(strip $(foreach r,$(RUNS),$(if $(and $(filter $(FIG_SEED),$(call run_seed,$(r))),$(filter \
  $(FIG_VREST) nan,$(call run_vrest,$(r))),$(if $(GKEY),$(filter $(1),$(call run_gval,$(r))),all)),$(r))))
define dw_group
$(PD)/dw-log$(1).dat: DW_RUNS := $(2)
$(PD)/dw-log$(1).dat: $(2:%=$(RD)/runs/%/summary.csv)
FIGURES += $(if $(2),$(FD)/dw-log$(1).png)
endef
$(foreach v,$(or $(GROUP_VALUES),-),$(eval $(call dw_group,$(if $(GKEY),_$(GKEY)$(v)),$(call dw_runs,$(v)))))
$(call in_groups,$(PD)/dw-log,.dat): $(PD)/dw-log%.dat: $(call opt,dw-log) $(PIPE)/run-name.awk $(PIPE)/dw-blocks.awk
	@mkdir -p $(@D)
	$(call say,plot data)
	$(Q)awk -F, -f $(PIPE)/run-name.awk -f $(PIPE)/dw-blocks.awk $(DW_RUNS:%=$(RD)/runs/%/dw.csv) > $@.tmp $(commit)
$(call in_groups,$(FD)/dw-log,.png): $(FD)/dw-log%.png: $(PD)/dw-log%.dat $(PIPE)/plots/dw-log.gp $(call opt,dw-log)
	@mkdir -p $(@D)
	$(call say,gnuplot)
	$(Q)$(call plot,dw-log,data='$<'; vrest='$(FIG_VREST)'; seed='$(FIG_SEED)'; sub='$(group_sub)')

# The values of the target dimension compared: training error and
# correlation in the test loops (summary.csv) and dimensionality after
# training (dpr.csv) against pqif, one block per value, then the
# dimensionality before training (loop 0, the same for every value: the
# target plays no part before training).
ifneq ($(TSWEEP),)
FIGURES += $(FD)/by-$(TSWEEP).png
$(PD)/by-$(TSWEEP).dat: $(RD)/summary.csv $(RD)/dpr.csv $(PIPE)/group-stats.awk $(call opt,loops)
	@mkdir -p $(@D)
	$(call say,plot data)
	$(Q){ $(group) -v keys=$(TSWEEP),pqif -v cols=mse_all,corr_all -v 'where=loop>$(TRAIN_LOOPS)' $(RD)/summary.csv && \
	  $(group) -v keys=$(TSWEEP),pqif -v cols=PR,PR_bc -v 'where=loop>$(TRAIN_LOOPS)' $(RD)/dpr.csv && \
	  $(group) -v keys=loop,pqif -v cols=PR,PR_bc -v where=loop=0 $(RD)/dpr.csv; } > $@.tmp $(commit)
$(FD)/by-$(TSWEEP).png: $(PD)/by-$(TSWEEP).dat $(PIPE)/plots/by-target.gp
	@mkdir -p $(@D)
	$(call say,gnuplot)
	$(Q)$(call plot,by-target,data='$<'; key='$(TSWEEP)'; values='$(GROUP_VALUES)')
endif

# The sizes compared (SIZES): the motifs and PR, PR_bc against N, before
# training (loop 0) and after it (the loops after TRAIN_LOOPS), one curve
# per pqif and phase (phase-curves.awk), and the rows dpr flagged.
ifneq ($(NSWEEP),)
FIGURES += $(FD)/scaling.png
curves = awk -F, -f $(PIPE)/phase-curves.awk -v train=$(TRAIN_LOOPS) $(1) | $(group) -v keys=pqif,neurons
$(PD)/scaling-motifs.dat: $(RD)/motifs.csv $(PIPE)/phase-curves.awk $(PIPE)/group-stats.awk $(call opt,loops)
	@mkdir -p $(@D)
	$(call say,plot data)
	$(Q)$(call curves,$<) -v cols=sigma2,tau_rec,tau_div,tau_con,tau_chn,R > $@.tmp $(commit)
$(PD)/scaling-dpr.dat: $(RD)/dpr.csv $(PIPE)/phase-curves.awk $(PIPE)/group-stats.awk $(call opt,loops)
	@mkdir -p $(@D)
	$(call say,plot data)
	$(Q)$(call curves,$<) -v cols=PR,PR_bc > $@.tmp $(commit)
$(PD)/scaling-flags.dat: $(RD)/dpr.csv $(PIPE)/dpr-flags.awk $(call opt,loops)
	@mkdir -p $(@D)
	$(call say,plot data)
	$(Q)awk -F, -f $(PIPE)/dpr-flags.awk -v x=neurons -v prepost=$(TRAIN_LOOPS) $< > $@.tmp $(commit)
$(FD)/scaling.png: $(PD)/scaling-motifs.dat $(PD)/scaling-dpr.dat $(PD)/scaling-flags.dat $(PIPE)/plots/scaling.gp
	@mkdir -p $(@D)
	$(call say,gnuplot)
	$(Q)$(call plot,scaling,motifs='$<'; dpr='$(PD)/scaling-dpr.dat'; flags='$(PD)/scaling-flags.dat'; \
	  indegree='$(INDEGREE)')
endif

FIG_LOOPS := 0 $(TRAIN_LOOPS) $(shell expr $(LOOPS) - 1)
FIG_FIELD = $(shell awk -F, -f $(PIPE)/csv-field.awk -v field=$(1) $(FIG_DIR)/params.csv)

# The target and recurrent input of FIG_RUN in loops FIG_LOOPS: of the
# neurons FIG_NEURONS (traces), and of every neuron (images).  FIG_COLS are
# the neurons' columns (npy-cat(1); none: all of them).
$(PD)/target-vs-input.dat: FIG_COLS = $(FIG_NEURONS)
$(PD)/target-vs-input.dat: $(call opt,target-vs-input)
$(PD)/target-vs-input-image.dat: FIG_COLS =
$(PD)/target-vs-input-image.dat: $(call opt,target-vs-input-image)
NPYCAT = $(BIN)/npy-cat -q $(if $(FIG_COLS),--columns $(call commas,$(FIG_COLS)))
$(PD)/target-vs-input.dat: $(PIPE)/target-input.awk
$(PD)/target-vs-input-image.dat: $(PIPE)/target-input-matrix.awk
$(PD)/target-vs-input.dat: FIG_AWK = target-input.awk
$(PD)/target-vs-input-image.dat: FIG_AWK = target-input-matrix.awk
$(PD)/target-vs-input.dat $(PD)/target-vs-input-image.dat: $(RD)/runs/$(FIG_RUN)/summary.csv $(BIN)/npy-cat
	@mkdir -p $(@D)
	@test -f $(FIG_DIR)/inputs.npy || { echo "sweep: $(FIG_DIR): no inputs.npy; name FIG_RUN in INPUT_RUNS" >&2; exit 1; }
	$(call say,plot data)
	$(Q)$(NPYCAT) $(RD)/inputs/$(FIG_TARGET).npy > $@.target && \
	  $(NPYCAT) $(FIG_DIR)/kick.npy > $@.kick && \
	  $(NPYCAT) --slices $(call commas,$(FIG_LOOPS)) $(FIG_DIR)/inputs.npy > $@.inputs && \
	  awk -F, -f $(PIPE)/$(FIG_AWK) -v neurons='$(FIG_COLS)' -v loops='$(FIG_LOOPS)' \
	  -v stim=$(STIM_STEPS) $@.target $@.kick $@.inputs > $@.tmp; \
	  s=$$?; rm -f $@.target $@.kick $@.inputs; [ $$s = 0 ] $(commit)
$(FD)/target-vs-input.png: $(PD)/target-vs-input.dat $(PIPE)/plots/target-vs-input.gp $(call opt,target-vs-input)
	@mkdir -p $(@D)
	$(call say,gnuplot)
	$(Q)$(call plot,target-vs-input,data='$<'; run='$(subst _,\_,$(FIG_RUN))'; neurons='$(FIG_NEURONS)'; \
	  nqif=$(call FIG_FIELD,nqif); loops='$(FIG_LOOPS)')
$(FD)/target-vs-input-image.png: $(PD)/target-vs-input-image.dat $(PIPE)/plots/target-vs-input-image.gp \
  $(call opt,target-vs-input-image)
	@mkdir -p $(@D)
	$(call say,gnuplot)
	$(Q)$(call plot,target-vs-input-image,data='$<'; run='$(subst _,\_,$(FIG_RUN))'; \
	  nqif=$(call FIG_FIELD,nqif); n=$(call FIG_FIELD,N); loops='$(FIG_LOOPS)'; stim=$(STIM_STEPS))

$(PD)/raster.dat: $(RD)/runs/$(FIG_RUN)/summary.csv $(call opt,fig-run) $(PIPE)/raster-blocks.awk
	@mkdir -p $(@D)
	$(call say,plot data)
	$(Q)awk -F, -f $(PIPE)/raster-blocks.awk -v loops='$(FIG_LOOPS)' -v nqif=$(call FIG_FIELD,nqif) \
	  $(FIG_DIR)/spikes.csv > $@.tmp $(commit)
$(FD)/raster.png: $(PD)/raster.dat $(PIPE)/plots/raster.gp $(call opt,fig-run)
	@mkdir -p $(@D)
	$(call say,gnuplot)
	$(Q)$(call plot,raster,data='$<'; run='$(subst _,\_,$(FIG_RUN))'; \
	  nqif=$(call FIG_FIELD,nqif); n=$(call FIG_FIELD,N); loops='$(FIG_LOOPS)')

$(PD)/weights-hist.dat: $(RD)/runs/$(FIG_RUN)/summary.csv $(call opt,fig-run) $(BIN)/npy-cat \
  $(PIPE)/weight-hist.awk
	@mkdir -p $(@D)
	$(call say,plot data)
	$(Q)$(BIN)/npy-cat -q --slices 0,$(lastword $(FIG_LOOPS)) $(FIG_DIR)/weights.npy > $@.weights && \
	  awk -F, -f $(PIPE)/weight-hist.awk -v nqif=$(call FIG_FIELD,nqif) \
	  -v before=0 -v after=$(lastword $(FIG_LOOPS)) $@.weights > $@.tmp; \
	  s=$$?; rm -f $@.weights; [ $$s = 0 ] $(commit)
$(FD)/weights-hist.png: $(PD)/weights-hist.dat $(PIPE)/plots/weights-hist.gp $(call opt,fig-run)
	@mkdir -p $(@D)
	$(call say,gnuplot)
	$(Q)$(call plot,weights-hist,data='$<'; run='$(subst _,\_,$(FIG_RUN))'; after=$(lastword $(FIG_LOOPS)))

sweep-results: sweep-options $(TABLES) $(FIGURES) $(RD)/analysis-options.txt

# --------------------------------------------------------------------- clean
sweep-clean-analysis:
	rm -rf $(AD) $(FD) $(TABLES) $(RD)/analysis-options.txt
	@if [ -d $(RD) ]; then printf '%s\n' '$(subst $(newline),' ',$(call options_text))' \
	  > $(OPTIONS_MK).tmp && mv $(OPTIONS_MK).tmp $(OPTIONS_MK); fi
sweep-clean-results:
	rm -rf $(RD)

endif
