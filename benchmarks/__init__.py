"""Benchmarks of kzreg's hot paths: `python -m benchmarks [--quick]`.

Performance is shown here, with the results recorded in docs/benchmarks.md, never by timed
unit tests. Each benchmark is a plain `time.perf_counter` loop: one warm-up run, then
several timed repeats of the same batch, reported as the min and the median of the batch
time and of the time per operation. No dependencies beyond kzreg's own.
"""
