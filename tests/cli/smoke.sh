#!/usr/bin/env bash
# End-to-end checks of the native CLI (run by CTest): training on generated text
# beats the unigram entropy, sampling and its options, eval, tokenize, export,
# resume, Ctrl-C, and bad input.
#   tests/cli/smoke.sh path/to/gptlab
set -euo pipefail
gptlab=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Generated text with structure: sentences from a tiny grammar (seeded, so repeatable).
awk 'BEGIN {
  srand(7)
  split("the cat|a dog|my friend|the old man|she|he", s, "|")
  split("sees|likes|finds|walks to|waits for", v, "|")
  split("the house|a garden|the river|her book|the market", o, "|")
  for (i = 0; i < 6000; i++) printf "%s %s %s.\n", s[int(rand() * 6) + 1], v[int(rand() * 5) + 1], o[int(rand() * 5) + 1]
}' > "$dir/corpus.txt"

common=(--corpus "$dir/corpus.txt" --layers 2 --heads 2 --embd 48 --block 32 --batch 16 --eval-batches 4)
out=$("$gptlab" train "${common[@]}" --steps 300 --eval-interval 150 --lr 3e-3 --warmup 20 --checkpoint "$dir/run.ckpt")
echo "$out"
val=$(grep -oE 'val [0-9.]+' <<<"$out" | tail -1 | cut -d' ' -f2)
# Unigram entropy of the characters (nats): what a model without context reaches.
unigram=$(awk 'BEGIN { RS = "^$" } {
  n = length($0); for (i = 1; i <= n; i++) c[substr($0, i, 1)]++
  for (k in c) h -= c[k] / n * log(c[k] / n); print h }' "$dir/corpus.txt")
awk -v v="$val" -v u="$unigram" 'BEGIN { exit !(v < u - 1.0) }' || fail "val loss $val not clearly below the unigram entropy $unigram"
echo "val loss $val < unigram entropy $unigram - 1"

"$gptlab" sample --checkpoint "$dir/run.ckpt" --prompt "the cat" --tokens 60 --seed 3 > "$dir/s1"
"$gptlab" sample --checkpoint "$dir/run.ckpt" --prompt "the cat" --tokens 60 --seed 3 > "$dir/s2"
cmp -s "$dir/s1" "$dir/s2" || fail "the same seed sampled different text"
grep -q "^the cat" "$dir/s1" || fail "the sample does not start with the prompt"
grep -q "val loss" <<<"$("$gptlab" eval --checkpoint "$dir/run.ckpt" --corpus "$dir/corpus.txt")" || fail "eval printed no val loss"

# Sampling options: temperature 0 is the argmax whatever the seed; top-k 1 and a tiny top-p keep only it.
sample() { "$gptlab" sample --checkpoint "$dir/run.ckpt" --prompt "the cat" --tokens 60 "$@"; }
sample --temperature 0 --seed 1 > "$dir/t0a"
sample --temperature 0 --seed 2 > "$dir/t0b"
sample --top-k 1 --seed 3 > "$dir/k1"
sample --top-p 1e-6 --seed 4 > "$dir/p0"
cmp -s "$dir/t0a" "$dir/t0b" || fail "temperature 0 depends on the seed"
cmp -s "$dir/t0a" "$dir/k1" || fail "--top-k 1 differs from --temperature 0"
cmp -s "$dir/t0a" "$dir/p0" || fail "--top-p 1e-6 differs from --temperature 0"
sample --temperature 1.5 --seed 5 > "$dir/hot1"
sample --temperature 1.5 --seed 6 > "$dir/hot2"
cmp -s "$dir/hot1" "$dir/hot2" && fail "two seeds at temperature 1.5 sampled the same text"
echo "sampling: temperature 0 = top-k 1 = top-p 1e-6; seeds matter only above 0"

# tokenize: characters take ids 5.. in code-point order after the 5 special tokens; the newline
# is the corpus's smallest character (id 5), so the others start at 6.
text="the old man waits."
alphabet=$(tr -d '\n' < "$dir/corpus.txt" | fold -w1 | LC_ALL=C sort -u | tr -d '\n')
expected=()
for ((i = 0; i < ${#text}; i++)); do
  before=${alphabet%%"${text:i:1}"*}
  expected+=("$((6 + ${#before}))")
done
tokens=$("$gptlab" tokenize --checkpoint "$dir/run.ckpt" --text "$text")
[[ "$tokens" == "$("$gptlab" tokenize --checkpoint "$dir/run.ckpt" --text "$text")" ]] || fail "tokenize is not repeatable"
[[ "$(cut -f1 <<<"$tokens" | tr '\n' ' ')" == "${expected[*]} " ]] || fail "tokenize gave ids $(cut -f1 <<<"$tokens" | tr '\n' ' '), expected ${expected[*]}"
[[ "$(cut -f2 <<<"$tokens" | tr -d '\n')" == "$text" ]] || fail "the tokens' pieces do not spell the text"
echo "tokenize: ${#text} characters, ${#expected[@]} ids in code-point order"

# export: safetensors = u64 little-endian header length, a JSON header of F32 tensors with byte
# offsets, then 4 bytes per parameter of the model (the count train printed).
"$gptlab" export --checkpoint "$dir/run.ckpt" --out "$dir/model.safetensors" > /dev/null
[[ -s "$dir/model.safetensors" ]] || fail "export wrote no file"
len=$(od -An -tu8 -N8 "$dir/model.safetensors" | tr -d ' ')
header=$(head -c $((8 + len)) "$dir/model.safetensors" | tail -c +9)
[[ $header == "{"* ]] || fail "the safetensors header is not a JSON object"
grep -qF '"transformer.wte.weight":{' <<<"$header" || fail "the safetensors header names no token embedding"
grep -qF '"dtype":"F32"' <<<"$header" || fail "the safetensors header has no F32 tensor"
end=$(grep -oE '"data_offsets":\[[0-9]+,[0-9]+\]' <<<"$header" | grep -oE '[0-9]+\]' | tr -d ']' | sort -n | tail -1)
params=$(grep -oE '^model: [0-9]+ parameters' <<<"$out" | grep -oE '[0-9]+')
((end == 4 * params)) || fail "the tensors hold $end bytes, not 4 x $params parameters"
(($(stat -c %s "$dir/model.safetensors") == 8 + len + end)) || fail "the safetensors file is not 8 + header + data bytes"
echo "export: safetensors header of $len bytes, $params F32 parameters"

# Resume continues from step 300.
resumed=$("$gptlab" train "${common[@]}" --steps 320 --eval-interval 20 --checkpoint "$dir/run.ckpt" --resume)
grep -q "resumed .* at step 300" <<<"$resumed" || fail "resume did not start at step 300"
grep -q "^step 320:" <<<"$resumed" || fail "the resumed run did not reach step 320"

# A masked model trained on documents (padded batches) fills in a blank.
"$gptlab" train "${common[@]}" --objective masked --documents $'.\n' --steps 60 --warmup 10 --eval-interval 60 --checkpoint "$dir/mlm.ckpt" > /dev/null
grep -q '^<mask> 1: ' <<<"$("$gptlab" fill --checkpoint "$dir/mlm.ckpt" --text "the <mask>at sees the house." --top 3)" \
  || fail "fill-in printed no candidates"

# Ctrl-C saves a checkpoint and exits with 130: sent once the run has logged its first step.
"$gptlab" train "${common[@]}" --steps 100000 --eval-interval 100000 --log-interval 1 --checkpoint "$dir/int.ckpt" > "$dir/int.log" &
pid=$!
for ((tries = 0; tries < 600; tries++)); do
  grep -q '^step ' "$dir/int.log" && break
  kill -0 $pid 2>/dev/null || fail "the run to interrupt ended early: $(cat "$dir/int.log")"
  sleep 0.1
done
grep -q '^step ' "$dir/int.log" || fail "the run to interrupt logged no step within 60 s"
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
[[ $rc == 130 ]] || fail "Ctrl-C exited with $rc, not 130"
"$gptlab" eval --checkpoint "$dir/int.ckpt" --corpus "$dir/corpus.txt" > /dev/null || fail "the Ctrl-C checkpoint does not load"

# A run timed by the clock: 6 seconds, its steps chosen from its speed (not the 3,000 of --steps' default).
start=$SECONDS
timed=$("$gptlab" train "${common[@]}" --minutes 0.1 --eval-interval 50 --warmup 10 --threads 1 --checkpoint "$dir/timed.ckpt")
took=$((SECONDS - start))
last=$(grep -oE '^step [0-9]+:' <<<"$timed" | tail -1 | grep -oE '[0-9]+')
((took >= 4 && took <= 15 && last != 3000)) || fail "a 6-second run took $took s and ended at step $last"
echo "--minutes 0.1: $last steps in $took s"

# Bad input: a sentence and a non-zero exit, never a crash.
expect_error() {  # expect_error "sentence part" command...
  local want=$1; shift
  set +e; msg=$("$@" 2>&1 >/dev/null); rc=$?; set -e
  [[ $rc -ne 0 && $rc -lt 128 ]] || fail "$* exited with $rc"
  grep -qF -- "$want" <<<"$msg" || fail "$* said \"$msg\", expected \"$want\""
}
: > "$dir/empty.txt"
printf 'short' > "$dir/short.txt"
expect_error "Cannot open $dir/missing.txt" "$gptlab" train --corpus "$dir/missing.txt"
expect_error "The corpus is empty" "$gptlab" train --corpus "$dir/empty.txt"
expect_error "a block size of 32 needs at least 33" "$gptlab" train --corpus "$dir/short.txt" --block 32
expect_error "Training diverged at step" "$gptlab" train "${common[@]}" --steps 50 --lr 1e30 --warmup 1 --checkpoint "$dir/nan.ckpt"
expect_error "must be divisible by the number of heads" "$gptlab" train "${common[@]}" --heads 5
expect_error "This is not a gptlab checkpoint" "$gptlab" sample --checkpoint "$dir/corpus.txt"
head -c 1000 "$dir/run.ckpt" > "$dir/cut.ckpt"
expect_error "The checkpoint is damaged" "$gptlab" sample --checkpoint "$dir/cut.ckpt"
expect_error "fill-in needs a masked" "$gptlab" fill --checkpoint "$dir/run.ckpt" --text "a <mask>"
expect_error "--steps needs a number" "$gptlab" train --corpus "$dir/corpus.txt" --steps many
expect_error "The number of threads must be between 1 and 64, not 0." "$gptlab" train "${common[@]}" --threads 0
# Unknown options are refused before anything runs: the nearest known one when it is a typo away.
expect_error "Unknown option --step; did you mean --steps?" "$gptlab" train "${common[@]}" --step 5 --checkpoint "$dir/typo.ckpt"
[[ ! -e "$dir/typo.ckpt" ]] || fail "a run with an unknown option trained and saved a checkpoint"
expect_error "Unknown option --bogus for gptlab train; gptlab help lists the options." "$gptlab" train "${common[@]}" --bogus 1
expect_error "Unknown option --temprature; did you mean --temperature?" "$gptlab" sample --checkpoint "$dir/run.ckpt" --temprature 0
expect_error "Unknown option --steps for gptlab sample" "$gptlab" sample --checkpoint "$dir/run.ckpt" --steps 5
expect_error 'Unknown ffn "relu"; use none, gelu or swiglu.' "$gptlab" train "${common[@]}" --ffn relu
# The model's own errors come before the schedule's, and the schedule's names the flags.
expect_error "n_embd (48) must be divisible by the number of heads (5)." "$gptlab" train "${common[@]}" --heads 5 --steps 2
expect_error "--steps 60 must be more than --warmup 100." "$gptlab" train "${common[@]}" --steps 60
expect_error "--minutes must be a number of minutes" "$gptlab" train "${common[@]}" --minutes -2
expect_error "--minutes times a new run" "$gptlab" train "${common[@]}" --minutes 1 --resume --checkpoint "$dir/run.ckpt"

# The model switches the lessons need: every name of --positions, --ffn, --norm and --decay, --no-residual
# and --layers 0 train, save a checkpoint that loads, and the help lists them.
help=$("$gptlab" help)
for want in "--positions none|learned|rope" "--ffn none|gelu|swiglu" "--norm none|layernorm|rmsnorm" "--no-residual" \
  "--decay none|all|matrices (matrices"; do
  grep -qF -- "$want" <<<"$help" || fail "the help does not list $want"
done
quick=(--corpus "$dir/corpus.txt" --layers 1 --heads 2 --embd 16 --block 16 --batch 4 --eval-batches 1 --steps 2 --warmup 1 --eval-interval 2)
for option in "--positions none" "--positions learned" "--positions rope" "--ffn none" "--ffn gelu" "--ffn swiglu" \
  "--norm none" "--norm layernorm" "--norm rmsnorm" "--decay none" "--decay all" "--decay matrices" "--no-residual" "--layers 0"; do
  # shellcheck disable=SC2086
  "$gptlab" train "${quick[@]}" $option --checkpoint "$dir/switch.ckpt" > "$dir/switch.log" 2>&1 || fail "train $option failed: $(cat "$dir/switch.log")"
done
bigram=$("$gptlab" train "${quick[@]}" --layers 0 --positions none --norm none --ffn none --no-residual --decay none --checkpoint "$dir/bigram.ckpt")
grep -qE "\(0 layers, 2 heads, n_embd 16, block 16, vocab [0-9]+, positions none, ffn none, norm none, no residual\)" <<<"$bigram" \
  || fail "the switched model printed: $bigram"
grep -qE "count-model baselines on val: unigram [0-9.]+, bigram [0-9.]+ nats/token" <<<"$bigram" || fail "train printed no baselines: $bigram"
"$gptlab" sample --checkpoint "$dir/bigram.ckpt" --tokens 10 > /dev/null || fail "the switched model's checkpoint does not sample"
expect_error 'Unknown decay "some"; use none, all or matrices.' "$gptlab" train "${quick[@]}" --decay some
expect_error "The number of layers must be between 0 and 1000." "$gptlab" train "${quick[@]}" --layers -1
echo "model switches: every name trains, --layers 0 with everything off samples"

# --constant-lr: after the warmup the learning rate stays at --lr (the cosine would have lowered it).
constant=$("$gptlab" train --corpus "$dir/corpus.txt" --layers 1 --heads 2 --embd 16 --block 16 --batch 4 --eval-batches 1 \
  --steps 4 --warmup 1 --eval-interval 4 --lr 0.002 --log-interval 1 --constant-lr --checkpoint "$dir/constant.ckpt")
grep -qE "^step 4 loss [0-9.]+ lr 2\.000e-03" <<<"$constant" || fail "--constant-lr did not keep the learning rate: $constant"
cosine=$("$gptlab" train --corpus "$dir/corpus.txt" --layers 1 --heads 2 --embd 16 --block 16 --batch 4 --eval-batches 1 \
  --steps 4 --warmup 1 --eval-interval 4 --lr 0.002 --log-interval 1 --checkpoint "$dir/constant.ckpt")
grep -qE "^step 4 loss [0-9.]+ lr 2\.000e-03" <<<"$cosine" && fail "without --constant-lr the learning rate did not decay: $cosine"
echo "--constant-lr keeps the learning rate"

# Faults while saving: the previous checkpoint survives them whole.
cp "$dir/run.ckpt" "$dir/before.ckpt"
expect_error "Cannot write /nonexistent-dir/x.ckpt.tmp: No such file or directory" \
  "$gptlab" train "${common[@]}" --steps 2 --warmup 1 --eval-interval 2 --checkpoint /nonexistent-dir/x.ckpt
# A full disk, as the kernel reports it to a process over its file-size limit (EFBIG; SIGXFSZ ignored).
full=$( (trap '' XFSZ; ulimit -f 64; "$gptlab" train "${common[@]}" --steps 2 --warmup 1 --eval-interval 2 --checkpoint "$dir/run.ckpt") 2>&1) && fail "a save past the size limit succeeded"
grep -qF "failed (File too large); the previous file is unchanged." <<<"$full" || fail "full disk said: $full"
cmp -s "$dir/run.ckpt" "$dir/before.ckpt" || fail "the previous checkpoint changed"
[[ ! -e "$dir/run.ckpt.tmp" ]] || fail "a partial temporary file was left behind"
"$gptlab" sample --checkpoint "$dir/run.ckpt" --tokens 5 >/dev/null || fail "the previous checkpoint no longer loads"
echo "faults while saving: the previous checkpoint survived"
echo "cli smoke: all passed"
