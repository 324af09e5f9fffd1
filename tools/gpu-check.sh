#!/usr/bin/env bash
# GPU check: one script, under 8 minutes on one H100/H200 with 16 cores, offline.
#
#   tools/gpu-check.sh [--app DIR] [--work DIR] [--dry-run]
#
# Steps (each logged to WORK/<step>.log; a summary goes to stdout at the end):
#   1 build     ./mvnw -o -Pgpu -DskipTests package, or the prebuilt app given by --app
#   2 gpu-tests the @Tag("gpu") tests (GpuGenerationTest), through Maven (needs the Maven build)
#   3 cpu-cuda  CPU float32 and CUDA float32 give the same greedy tokens on tiny checkpoints
#   4 bf16      init-tiny --preset trol-1.8b, then CUDA bfloat16 against CUDA float32 over 256
#               greedy tokens: how many leading tokens agree, and the fraction equal
#   5 single    bench single at real size: prefill/decode tokens/s, decode step against
#               weight bytes / measured memory bandwidth
#   6 engine    bench engine at real size (continuous and static batching, a short workload)
#
# What the GPU host needs (checked first, with a message naming what is missing):
#   - Java 17+, and nvidia-smi listing a GPU;
#   - CUDA 13 and cuDNN 9 libraries (libcudart.so.13, libcublas.so.13, libcudnn.so.9, ...) that
#     the dynamic loader finds (ldconfig, LD_LIBRARY_PATH or /usr/local/cuda/lib64);
#   - a CUDA build of the app. The CUDA libtorch jar (org.bytedeco:pytorch:...:linux-x86_64-gpu,
#     about 460 MB) is too large to travel with the working tree, so either
#       --app DIR   a target/quarkus-app directory built elsewhere with ./mvnw -Pgpu package
#                   (steps 1 and 2 are then skipped: the Maven tests need the Maven build), or
#       a Maven repository (~/.m2/repository, or MAVEN_REPO=DIR) already holding the -Pgpu
#       dependencies and the wrapper's Maven 3.9.11 (~/.m2/wrapper), e.g. filled on a connected
#       machine by ./mvnw -Pgpu -DskipTests package test-compile; the build then runs offline.
#
# --dry-run exercises the same sequence on CPU with small sizes: device cpu stands in for cuda,
# the tiny checkpoint for trol-1.8b, a few tokens instead of 256; it builds the CPU app if
# target/quarkus-app is missing, and the gpu-tagged tests are run (and skip themselves).
#
# Exit status: 0 when every step that ran passed, 1 when one failed, 2 when a requirement is
# missing.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
APP=""
WORK=""
DRY=0
while [ $# -gt 0 ]; do
    case "$1" in
        --app) APP=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --dry-run) DRY=1; shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
MAVEN_REPO=${MAVEN_REPO:-$HOME/.m2/repository}
PYTORCH_GPU_JAR=org/bytedeco/pytorch/2.10.0-1.5.13/pytorch-2.10.0-1.5.13-linux-x86_64-gpu.jar

if [ $DRY = 1 ]; then
    ACC=cpu; PROFILE=""; BIG_PRESET=tiny; AGREE_TOKENS=16
    SINGLE_ARGS=(--runs 1 --warmup 0 --new-tokens 8)
    ENGINE_ARGS=(--requests 4 --rate 50 --min-tokens 4 --max-tokens 8 --modes CONTINUOUS,STATIC
                 --static-batch 2 --java-share-batch 2 --java-share-steps 2)
    ENGINE_MODEL=micro
else
    ACC=cuda; PROFILE="-Pgpu"; BIG_PRESET=trol-1.8b; AGREE_TOKENS=256
    SINGLE_ARGS=(--runs 3 --warmup 1 --new-tokens 64)
    ENGINE_ARGS=(--requests 32 --rate 8 --min-tokens 8 --max-tokens 128 --modes CONTINUOUS,STATIC)
    ENGINE_MODEL=big
fi

declare -a SUMMARY=()
FAILED=0
note() { SUMMARY+=("$(printf '%-10s %-7s %s' "$1" "$2" "$3")"); [ "$2" = FAIL ] && FAILED=1; return 0; }
missing() { echo "error: $1" >&2; exit 2; }
step() { echo "== $1 ($(date +%T))" >&2; }

# ---- requirements, before anything slow
command -v java >/dev/null || missing "java not found (Java 17+ is needed)"
JAVA_MAJOR=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
[ "${JAVA_MAJOR:-0}" -ge 17 ] || missing "Java 17+ is needed, found ${JAVA_MAJOR:-none}"
if [ $DRY = 0 ]; then
    command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1 \
        || missing "no GPU: nvidia-smi is missing or lists none (use --dry-run to check the script on CPU)"
    for lib in libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcudnn.so.9; do
        found=0
        ldconfig -p 2>/dev/null | grep -q "$lib" && found=1
        for d in ${LD_LIBRARY_PATH//:/ } /usr/local/cuda/lib64; do [ -e "$d/$lib" ] && found=1; done
        [ $found = 1 ] || missing "$lib not found (CUDA 13 + cuDNN 9 runtime: ldconfig, LD_LIBRARY_PATH or /usr/local/cuda/lib64)"
    done
    if [ -n "$APP" ]; then
        ls "$APP"/lib/main/org.bytedeco.pytorch-*-linux-x86_64-gpu.jar >/dev/null 2>&1 \
            || missing "$APP holds no CUDA libtorch (lib/main/org.bytedeco.pytorch-*-linux-x86_64-gpu.jar): build it with ./mvnw -Pgpu -DskipTests package"
    else
        [ -f "$MAVEN_REPO/$PYTORCH_GPU_JAR" ] || missing "no prebuilt app (--app DIR) and no $MAVEN_REPO/$PYTORCH_GPU_JAR: this host is offline, so either copy a -Pgpu target/quarkus-app here and pass --app, or fill the Maven repository on a connected machine (./mvnw -Pgpu -DskipTests package test-compile) and set MAVEN_REPO"
        ls -d "$HOME"/.m2/wrapper/dists/apache-maven-3.9.11* >/dev/null 2>&1 \
            || missing "the Maven wrapper's Maven 3.9.11 is not under ~/.m2/wrapper/dists (offline: it cannot be downloaded)"
    fi
fi
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX")}
mkdir -p "$WORK"
echo "gpu-check: $([ $DRY = 1 ] && echo 'DRY RUN on cpu' || echo "device $ACC"), work dir $WORK" >&2

MVN=("$ROOT/mvnw" -o -B -q -ntp -Dmaven.repo.local="$MAVEN_REPO")

# ---- 1 build
step build
if [ -z "$APP" ]; then
    APP=$ROOT/target/quarkus-app
    if [ $DRY = 1 ] && [ -f "$APP/quarkus-run.jar" ]; then
        note build ok "existing CPU app $APP"
    elif (cd "$ROOT" && "${MVN[@]}" $PROFILE -DskipTests package) > "$WORK/build.log" 2>&1; then
        note build ok "./mvnw -o $PROFILE -DskipTests package"
    else
        note build FAIL "see $WORK/build.log"; printf '%s\n' "${SUMMARY[@]}"; exit 1
    fi
    BUILT_HERE=1
else
    note build skipped "prebuilt app $APP"
    BUILT_HERE=0
fi
TROL=(java ${JAVA_OPTS:-} -jar "$APP/quarkus-run.jar")

# ---- 2 gpu-tagged tests
step gpu-tests
if [ $BUILT_HERE = 1 ]; then
    rm -rf "$ROOT/target/surefire-reports"   # so that the counts below are this run's
    if (cd "$ROOT" && "${MVN[@]}" $PROFILE test -Dgroups=gpu -Dsurefire.failIfNoSpecifiedTests=false) \
            > "$WORK/gpu-tests.log" 2>&1; then
        counts=$(cat "$ROOT"/target/surefire-reports/TEST-*.xml 2>/dev/null | grep -o '<testsuite [^>]*>' \
            | awk '{ match($0, /tests="[0-9]+"/); t += substr($0, RSTART + 7, RLENGTH - 8)
                     match($0, /skipped="[0-9]+"/); k += substr($0, RSTART + 9, RLENGTH - 10) }
                   END { printf "%d run, %d skipped", t - k, k }')
        note gpu-tests ok "mvn test -Dgroups=gpu: $counts$([ $DRY = 1 ] && echo ' (no CUDA here: they skip themselves)')"
    else
        note gpu-tests FAIL "see $WORK/gpu-tests.log"
    fi
else
    note gpu-tests skipped "needs the Maven build (not --app)"
fi

# Prints the generated token ids (comma-separated) of one generate run; logs to WORK/$1.log.
token_ids() {
    local log=$1; shift
    "${TROL[@]}" generate "$@" > "$WORK/$log.out" 2> "$WORK/$log.log" || return 1
    tail -1 "$WORK/$log.out" | grep -o '"tokenIds":\[[^]]*\]' | sed 's/.*\[//; s/\]//'
}

# "leading equal length_a length_b" of two comma-separated id lists (equal counted over the shorter).
agreement() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        na = split(a, x, ","); nb = split(b, y, ","); n = na < nb ? na : nb
        lead = -1; eq = 0
        for (i = 1; i <= n; i++) { if (x[i] == y[i]) eq++; else if (lead < 0) lead = i - 1 }
        if (lead < 0) lead = n
        print lead, eq, na, nb }'
}

# ---- 3 CPU float32 against the accelerator in float32, tiny checkpoints
step cpu-cuda
"${TROL[@]}" init-tiny "$WORK/tiny" > "$WORK/init-tiny.log" 2>&1
"${TROL[@]}" init-tiny "$WORK/micro" --preset micro >> "$WORK/init-tiny.log" 2>&1
IMAGE=$ROOT/docs/demo.png
MODELS=(tiny tiny micro)
IMAGES=("$IMAGE" "" "$IMAGE")
QUESTIONS=("What is the troll doing?" "Who are you?" "Describe the picture in detail.")
same=0; total=${#MODELS[@]}
for i in "${!MODELS[@]}"; do
    image=(); [ -n "${IMAGES[$i]}" ] && image=(--image "${IMAGES[$i]}")
    run=(--model "$WORK/${MODELS[$i]}" "${image[@]}" --question "${QUESTIONS[$i]}" --max-new-tokens 32 --dtype float32)
    cpu=$(token_ids "cpu-$i" "${run[@]}" --device cpu)
    acc=$(token_ids "$ACC-acc-$i" "${run[@]}" --device "$ACC")
    if [ -n "$cpu" ] && [ "$cpu" = "$acc" ]; then
        same=$((same + 1))
    else
        echo "prompt $i differs: cpu [$cpu] $ACC [$acc]" >&2
    fi
done
[ $same = $total ] && note cpu-cuda ok "$same/$total prompts: cpu float32 tokens = $ACC float32 tokens (32 each)" \
                   || note cpu-cuda FAIL "$same/$total prompts equal (logs $WORK/cpu-*.log)"

# ---- 4 bfloat16 against float32 on the accelerator at real size
step bf16
BIG=$WORK/big-$BIG_PRESET
if "${TROL[@]}" init-tiny "$BIG" --preset "$BIG_PRESET" > "$WORK/init-big.log" 2>&1; then
    f32=$(token_ids big-f32 --model "$BIG" --image "$IMAGE" --question "What is the troll doing?" \
        --max-new-tokens $AGREE_TOKENS --device "$ACC" --dtype float32)
    bf16=$(token_ids big-bf16 --model "$BIG" --image "$IMAGE" --question "What is the troll doing?" \
        --max-new-tokens $AGREE_TOKENS --device "$ACC" --dtype bfloat16)
    if [ -n "$f32" ] && [ -n "$bf16" ]; then
        read -r lead eq na nb <<< "$(agreement "$f32" "$bf16")"
        n=$((na < nb ? na : nb))
        note bf16 ok "$BIG_PRESET on $ACC: bf16 vs f32, first $lead tokens agree, $eq/$n equal ($(awk -v e=$eq -v n=$n 'BEGIN{printf "%.1f", 100*e/n}')%); lengths $na/$nb"
    else
        note bf16 FAIL "a generate run failed (logs $WORK/big-*.log)"
    fi
else
    note bf16 FAIL "init-tiny --preset $BIG_PRESET failed ($WORK/init-big.log)"
fi

# ---- 5 bench single at real size
step single
if "${TROL[@]}" bench single --model "$BIG" --device "$ACC" --dtype "$([ $DRY = 1 ] && echo float32 || echo bfloat16)" \
        "${SINGLE_ARGS[@]}" > "$WORK/single.out" 2> "$WORK/single.log"; then
    cat "$WORK/single.out"
    note single ok "$(grep -o 'prefill tokens/s.*' "$WORK/single.out" | tr -s ' '), $(grep -o 'decode tokens/s.*' "$WORK/single.out" | tr -s ' ')"
    note "" "" "$(grep -o 'decode step ms.*' "$WORK/single.out" | tr -s ' ')"
    note "" "" "$(grep -o 'prefill ms.*' "$WORK/single.out" | tr -s ' ')"
else
    note single FAIL "see $WORK/single.log"
fi

# ---- 6 bench engine at real size
step engine
EMODEL=$([ "$ENGINE_MODEL" = big ] && echo "$BIG" || echo "$WORK/micro")
# on the GPU the K/V pool gets 16 GiB (the default 2 GiB holds about 20k positions of TroL-1.8B)
if java ${JAVA_OPTS:-} $([ $DRY = 0 ] && echo -Dtrol.engine.kv-cache-bytes=17179869184) -jar "$APP/quarkus-run.jar" \
        bench engine --model "$EMODEL" --device "$ACC" "${ENGINE_ARGS[@]}" \
        > "$WORK/engine.out" 2> "$WORK/engine.log"; then
    cat "$WORK/engine.out"
    note engine ok "full output above and in $WORK/engine.out"
    while IFS= read -r line; do note "" "" "$(echo "$line" | tr -s ' ')"; done \
        < <(grep -E '^(CONTINUOUS|STATIC)|continuous / static|decode step at batch' "$WORK/engine.out")
else
    note engine FAIL "see $WORK/engine.log"
fi

echo
echo "gpu-check summary ($([ $DRY = 1 ] && echo 'dry run, cpu' || echo "$ACC"); logs in $WORK)"
printf '%s\n' "${SUMMARY[@]}"
exit $FAILED
