#!/bin/sh
# Stage 2 of the initrd-harness test guests: report on the console what stage 1 left behind,
# in one machine-readable line, then power off (or, with stage2.shell=1, give a shell first).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

# After a systemd switch-root these are mounted already; after a plain switch_root maybe not.
# No redirections until /dev is there: on a read-only root, "2>/dev/null" would make the shell
# skip the command.
[ -c /dev/null ] || mount -t devtmpfs devtmpfs /dev
[ -r /proc/uptime ] || mount -t proc proc /proc
[ -d /sys/kernel ] || mount -t sysfs sysfs /sys
[ -d /run ] || mkdir -p /run
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1

# Reads stdin, prints it as a JSON string (a final newline dropped, control characters removed).
json() {
  tr -d '\000-\010\013\014\016-\037' | awk '
    function esc(s,  out, i, c) {
      out = ""
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\") out = out "\\\\"
        else if (c == "\"") out = out "\\\""
        else if (c == "\t") out = out "\\t"
        else if (c == "\r") out = out "\\r"
        else out = out c
      }
      return out
    }
    BEGIN { ORS = ""; printf "\"" }
    { if (NR > 1) printf "\\n"; printf "%s", esc($0) }
    END { printf "\"" }'
}

uptime=$(cut -d' ' -f1 /proc/uptime)
cmdline=$(cat /proc/cmdline)

list_run() {
  sep=""
  find /run -mindepth 1 -maxdepth 2 | sort | while IFS= read -r p; do
    printf '%s%s' "$sep" "$(printf '%s' "$p" | json)"
    sep=","
  done
}
run="[$(list_run)]"

marks="{"
sep=""
if [ -d /run/harness ]; then
  for f in $(ls /run/harness | sort); do
    [ -f "/run/harness/$f" ] || continue
    marks="$marks$sep$(printf '%s' "$f" | json):$(json < "/run/harness/$f")"
    sep=","
  done
fi
marks="$marks}"

printf 'STAGE2 {"arch":%s,"uptime":%s,"cmdline":%s,"run":%s,"marks":%s}\n' \
  "$(uname -m | json)" "${uptime:-0}" "$(printf '%s' "$cmdline" | json)" "$run" "$marks"

case " $cmdline " in
  *" stage2.shell=1 "*)
    # A plymouthd left running by stage 1 would keep reading the console: end it first, and
    # wait (up to 5 s) until it is gone, or its last redraw (plymouth 24's) erases our line.
    if [ -r /run/plymouth/pid ]; then
      pid=$(cat /run/plymouth/pid)
      kill "$pid" 2>/dev/null
      i=0
      while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do usleep 100000; i=$((i+1)); done
    fi
    echo "stage2: shell on the console; exit it to power off"
    setsid cttyhack sh -l || sh -l
    ;;
esac
sync
mount -o remount,ro / 2>&1 | grep -v 'Read-only file system'
poweroff -f
