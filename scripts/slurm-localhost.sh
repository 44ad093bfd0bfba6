#!/usr/bin/env bash
# Starts (or stops) a single-node Slurm cluster on this machine for the `hace slurm` test:
# munged, slurmctld and slurmd from Debian's slurm-wlm and munge packages, with a minimal
# configuration whose state lives under /tmp/hace-slurm. Needs root. It never touches a Slurm
# configuration it did not write (its first line carries a marker); exit 3 means "cannot start
# here" and the test skips with this script's message.
set -euo pipefail
MARK="# written by hace scripts/slurm-localhost.sh"
CONF=/etc/slurm/slurm.conf
STATE=/tmp/hace-slurm
cannot() { echo "slurm-localhost: $*" >&2; exit 3; }

case "${1:-start}" in
  stop)
    pkill -x slurmd 2>/dev/null || true
    pkill -x slurmctld 2>/dev/null || true
    exit 0 ;;
  start) ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

for p in munged slurmctld slurmd sinfo sbatch; do
  command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] || cannot "$p is not installed (apt: slurm-wlm munge)"
done
[ "$(id -u)" -eq 0 ] || cannot "needs root to start munged, slurmctld and slurmd"
if [ -e "$CONF" ] && ! head -1 "$CONF" | grep -qF "$MARK"; then
  cannot "$CONF exists and was not written by this script; not touching it"
fi
if sinfo -h >/dev/null 2>&1 && [ -e "$CONF" ]; then exit 0; fi  # already up

mkdir -p "$STATE/ctld" "$STATE/d" /etc/slurm /etc/munge /run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --force >/dev/null 2>&1 || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
fi
chown munge:munge /etc/munge/munge.key /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
chmod 400 /etc/munge/munge.key
if ! pgrep -x munged >/dev/null; then
  runuser -u munge -- /usr/sbin/munged --force 2>/dev/null || /usr/sbin/munged --force \
    || cannot "munged does not start"
fi

HOST="$(hostname -s)"
CPUS="$(nproc)"
MEM=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
cat > "$CONF" <<CONFEOF
$MARK
ClusterName=hacetest
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONFEOF
pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld || cannot "slurmctld does not start (see $STATE/slurmctld.log)"
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd || cannot "slurmd does not start (see $STATE/slurmd.log)"
for _ in $(seq 1 30); do
  if sinfo -h -o %T 2>/dev/null | grep -qE 'idle|mix|alloc'; then exit 0; fi
  sleep 1
done
cannot "the node did not come up within 30 s (see $STATE/slurmd.log)"
