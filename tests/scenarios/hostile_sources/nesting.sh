# For each shape of nesting: 999 levels compile and run (AOT), 1001 and
# 12170 levels are one located error, never a crash.
for kind in paren bracket interp if plus try neg fnarg; do
    python3 gen.py $kind 999 > ok.tes
    tess build ok.tes -o ok || { echo "$kind 999 failed"; exit 1; }
    ./ok > /dev/null || { echo "$kind 999 did not run"; exit 1; }
    for n in 1001 12170; do
        python3 gen.py $kind $n > deep.tes
        tess --error-format=short build deep.tes -o deep 2> err.txt
        status=$?
        if [ $status -ne 1 ] || ! grep -q "nested deeper than 1000 levels\|nesting deeper than 1000 levels" err.txt; then
            echo "$kind $n: status $status"; head -3 err.txt; exit 1
        fi
    done
done
echo "all shapes bounded"
