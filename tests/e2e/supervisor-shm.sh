#!/bin/bash
# A real Python app leaks POSIX shared memory (multiprocessing.shared_memory,
# _posixshmem, a multiprocessing child) and named semaphores (sem_open), and
# another leaves a multiprocessing.Manager behind through os._exit: afterwards
# nothing of the run remains, the summary names each removal with its size,
# and the decoys (a segment from before the run, one still mapped by a
# process outside the tree) are untouched.  Report mode only warns.
. "$(dirname "$0")/supervisor-lib.sh"
PY=/usr/bin/python3
tag=drtest$$

cat >"$T/leaky.py" <<'PY'
import ctypes, multiprocessing, os, sys, time, _posixshmem
from multiprocessing import shared_memory, resource_tracker

tag, tmp = sys.argv[1], sys.argv[2]

# a segment named psm_*, as multiprocessing.shared_memory makes them; taken
# away from the resource tracker, as happens when the tracker dies first
shm = shared_memory.SharedMemory(create=True, size=1 << 20)
resource_tracker.unregister(shm._name, "shared_memory")
shm.buf[0] = 1
open(os.path.join(tmp, "psm_name"), "w").write(shm.name)

fd = _posixshmem.shm_open("/%s_raw" % tag, os.O_CREAT | os.O_RDWR, 0o600)
os.ftruncate(fd, 8192)

libc = ctypes.CDLL(None, use_errno=True)
libc.sem_open.restype = ctypes.c_void_p
libc.sem_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_uint]
if not libc.sem_open(("/%s_sem" % tag).encode(), os.O_CREAT, 0o600, 1):
    sys.exit("sem_open failed")

def child():
    f = _posixshmem.shm_open("/%s_child" % tag, os.O_CREAT | os.O_RDWR, 0o600)
    os.ftruncate(f, 3000)

p = multiprocessing.get_context("fork").Process(target=child)
p.start()
p.join()

# a segment that a process outside the tree maps and keeps
f = _posixshmem.shm_open("/%s_shared" % tag, os.O_CREAT | os.O_RDWR, 0o600)
os.ftruncate(f, 4096)
open(os.path.join(tmp, "shared_made"), "w").close()
while not os.path.exists(os.path.join(tmp, "shared_mapped")):
    time.sleep(0.01)
os._exit(0)
PY

cat >"$T/outsider.py" <<'PY'
import mmap, os, sys, time
path, tmp = sys.argv[1], sys.argv[2]
while not os.path.exists(os.path.join(tmp, "shared_made")):
    time.sleep(0.01)
fd = os.open(path, os.O_RDWR)
m = mmap.mmap(fd, 4096)
os.close(fd)
open(os.path.join(tmp, "shared_mapped"), "w").close()
time.sleep(600)
PY

cat >"$T/manager.py" <<'PY'
import multiprocessing, os, sys, time
m = multiprocessing.Manager()
d = m.dict()
d["x"] = 1
open(sys.argv[1], "w").write(str(m._process.pid))
open(sys.argv[1] + ".address", "w").write(m.address)
# an outside process makes its own pymp-* directory during the run
while not os.path.exists(sys.argv[2]):
    time.sleep(0.01)
os._exit(0)
PY

# outside the tree: a pymp-* directory made during the run, its socket kept open
cat >"$T/pymp_outsider.py" <<'PY'
import os, socket, sys, time
tmp, started, ready = sys.argv[1:4]
while not os.path.exists(started):
    time.sleep(0.01)
d = os.path.join(tmp, "pymp-outsider")
os.mkdir(d, 0o700)
s = socket.socket(socket.AF_UNIX)
s.bind(os.path.join(d, "listener-outsider"))
s.listen(1)
open(ready, "w").close()
time.sleep(600)
PY

# decoy 1: made before the run by the same user
"$PAYLOAD" --shm "/${tag}_before:5000"
# decoy 2: mapped by a process outside the tree
$PY "$T/outsider.py" "/dev/shm/${tag}_shared" "$T" &
OUT=$!
BG+=("$OUT")
leftovers() { ls /dev/shm | grep -c "^$tag\|^sem\.$tag" || true; }

rc=0; "$SUPERVISE" -- $PY "$T/leaky.py" "$tag" "$T" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] || fail "leaky app gave $rc"
psm=$(cat "$T/psm_name")
for gone_name in "$psm" "${tag}_raw" "${tag}_child" "sem.${tag}_sem"; do
	[ ! -e "/dev/shm/$gone_name" ] || fail "/dev/shm/$gone_name was not removed"
done
[ -e "/dev/shm/${tag}_before" ] || fail "the segment made before the run was removed"
[ -e "/dev/shm/${tag}_shared" ] || fail "the segment mapped outside the tree was removed"
for want in "shm /dev/shm/$psm (1.0 MiB)" "shm /dev/shm/${tag}_raw (8.0 KiB)" \
	"shm /dev/shm/${tag}_child (2.9 KiB)" "semaphore /dev/shm/sem.${tag}_sem (32 B)"; do
	grep -qF "removed $want" "$T/err" || fail "no line for $want: $(cat "$T/err")"
	tail -n1 "$T/err" | grep -qF "$want" || fail "summary lacks $want: $(tail -n1 "$T/err")"
done
ok "leaked psm_ segment, raw segment, child's segment and semaphore removed, each named with its size"
ok "decoys kept: a segment from before the run, one mapped outside the tree"
kill "$OUT"
wait "$OUT" 2>/dev/null || true
rm -f "/dev/shm/${tag}_shared"

# the run's temporary directory: TMPDIR, as tempfile.gettempdir() reads it
mkdir "$T/tmp"
mkdir "$T/tmp/pymp-before"     # decoy 3: made before the run
$PY "$T/pymp_outsider.py" "$T/tmp" "$T/manager.pid.address" "$T/outsider_ready" &
OUT=$!
BG+=("$OUT")
rc=0; TMPDIR=$T/tmp "$SUPERVISE" -- $PY "$T/manager.py" "$T/manager.pid" "$T/outsider_ready" \
	2>"$T/err" || rc=$?
[ "$rc" = 0 ] || fail "manager app gave $rc"
mpid=$(cat "$T/manager.pid")
gone "$mpid" || fail "the Manager process $mpid survived"
grep -qE ', [0-9]+ orphans? stopped' "$T/err" || fail "summary: $(cat "$T/err")"
ok "a Manager orphaned by os._exit is stopped and waited for: $(tail -n1 "$T/err")"
mdir=$(dirname "$(cat "$T/manager.pid.address")")
case $mdir in "$T/tmp/pymp-"*) ;; *) fail "the Manager's socket is not in a pymp-* directory of TMPDIR: $mdir" ;; esac
[ ! -e "$mdir" ] || fail "the Manager's directory $mdir was left behind: $(ls -la "$mdir")"
grep -qF "removed multiprocessing directory $mdir (1 entry, 0 B)" "$T/err" ||
	fail "no line for $mdir: $(cat "$T/err")"
tail -n1 "$T/err" | grep -qF "multiprocessing directory $mdir" || fail "summary lacks $mdir"
[ -d "$T/tmp/pymp-before" ] || fail "the pymp-* directory made before the run was removed"
[ -S "$T/tmp/pymp-outsider/listener-outsider" ] ||
	fail "the pymp-* directory whose socket an outside process holds was removed"
ok "the Manager's pymp-* directory removed and reported; decoys kept (made before, held outside)"
kill "$OUT"
wait "$OUT" 2>/dev/null || true

: >"$T/shared_mapped"
rc=0; "$SUPERVISE" --shm report -- $PY "$T/leaky.py" "$tag" "$T" 2>"$T/err" || rc=$?
[ "$rc" = 0 ] || fail "report mode gave $rc"
psm=$(cat "$T/psm_name")
[ -e "/dev/shm/$psm" ] && [ -e "/dev/shm/sem.${tag}_sem" ] || fail "report mode removed something"
grep -q "warning: shm /dev/shm/$psm (1.0 MiB) was left behind by the run" "$T/err" ||
	fail "report mode: $(cat "$T/err")"
ok "shm = report: leaks listed, nothing removed"
rm -f "/dev/shm/$psm" /dev/shm/"$tag"_* "/dev/shm/sem.${tag}_sem"
[ "$(leftovers)" = 0 ] || fail "test leftovers"
