#!/usr/bin/env bash
# Regenerates the "Kiln and ONNX Runtime on the shared models" section of docs/performance.md (between
# its BEGIN/END markers) from measurements, never by hand: for every model in ../shared/models,
# `kiln bench --compare-ort --json` at 1 and 2 threads, and the cold start of the generated class in a
# fresh JVM (samples/coldstart/ColdStart.java). Raw outputs go to docs/perf/DATE-models/.
#
#   docs/perf/make-performance-table.sh            # from the repository root or anywhere
#
# Environment: KILN_SHARED_MODELS (default ../shared/models), ORT_JAR (default: ONNX Runtime 1.29.0
# in the local Maven repository, which the build downloads), ITERS (timed runs, default 20),
# THREADS (default "1 2"), JAVA_HOME.
set -euo pipefail
cd "$(dirname "$0")/../.."

models_dir=${KILN_SHARED_MODELS:-../shared/models}
ort_jar=${ORT_JAR:-$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime/1.29.0/onnxruntime-1.29.0.jar}
iters=${ITERS:-20}
threads=${THREADS:-1 2}
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
out=docs/perf/$(date -u +%F)-models

[ -f "$ort_jar" ] || { echo "make-performance-table: no ONNX Runtime jar at $ort_jar (set ORT_JAR)" >&2; exit 1; }
./mvnw -q -DskipTests package
runtime_jar=$(ls runtime-min/target/kiln-runtime-min-*.jar | grep -v -- '-sources\|-javadoc' | head -n 1)
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.txt

for dir in "$models_dir"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/model.onnx" ] || continue
  input=()
  [ -f "$dir/input.npy" ] && input=(-i "$dir/input.npy")
  for t in $threads; do
    echo "make-performance-table: $name, $t thread(s)" >&2
    "$java" -jar compiler/target/kiln.jar bench "$dir/model.onnx" "${input[@]}" --threads "$t" \
        --iters "$iters" --compare-ort --ort-jar "$ort_jar" --json "$out/$name-${t}t.json" \
        > "$out/$name-${t}t.txt"
  done
  # Cold start: class load + weights + first run of the compiled class, in a JVM of its own.
  tmp=$(mktemp -d)
  "$java" -jar compiler/target/kiln.jar compile "$dir/model.onnx" -o "$tmp/classes" --target bytecode \
      --class ColdStartModel --threads 1 --jar "$tmp/model.jar" > /dev/null
  "$java" --add-modules jdk.incubator.vector -cp "$runtime_jar:$tmp/model.jar" \
      samples/coldstart/ColdStart.java ColdStartModel > "$out/$name-coldstart.txt" 2> /dev/null
  rm -rf "$tmp"
done

"$java" -cp compiler/target/kiln.jar docs/perf/PerformanceTable.java "$out" docs/performance.md
echo "make-performance-table: updated docs/performance.md from $out" >&2
