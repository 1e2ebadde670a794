#!/bin/bash
# An abrkit sweep as a Slurm job array: task SLURM_ARRAY_TASK_ID (0-based: keep --array=0-(N-1)) runs shard
# SLURM_ARRAY_TASK_ID+1 of N with `abrkit sim --shard auto/N`; a second job, started after every task has
# succeeded, merges the shards:
#
#   mkdir -p out   # Slurm opens --output below before the script runs: out/ must exist
#   jobid=$(sbatch --parsable examples/slurm/array.sh)
#   sbatch --dependency=afterok:$jobid --wrap \
#     'npx --no -- abrkit merge out/shard-*.json --summary out/all.json --jsonl out/all.jsonl --report out/all.html'
#
# Adjust N (here 16: --array=0-15 and --shard auto/16 must agree), the inputs and the sim arguments (every
# task must get the same ones: the merge refuses shards of different runs). Run from a folder on a shared
# file system holding inputs/ and out/, where abrkit is installed (`npx --no` refuses to fetch a package of that
# name from the registry when it is not).
#SBATCH --job-name=abrkit-sweep
#SBATCH --array=0-15
#SBATCH --cpus-per-task=2
#SBATCH --mem=1G
#SBATCH --time=04:00:00
#SBATCH --output=out/slurm-%A_%a.log
set -euo pipefail
mkdir -p out
npx --no -- abrkit sim --video inputs/video.json --traces inputs/traces \
  --algo bba,bola,robust-mpc --network pensieve --seed 1 \
  --shard auto/16 --workers "${SLURM_CPUS_PER_TASK:-1}" --quiet --force \
  --summary "out/shard-${SLURM_ARRAY_TASK_ID}.json" \
  --jsonl "out/shard-${SLURM_ARRAY_TASK_ID}.jsonl"
