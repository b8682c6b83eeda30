# Helpers for guest scripts: a gpio-sim chip standing in for the treadmill's GPIO lines.
# Source it inside the VM (scripts/vm/run.sh GUEST_SCRIPT):
#
#   . scripts/vm/gpio-sim.sh
#   sim_create                      # chip "treadmill", bank0, 8 named lines, live
#   echo "$SIM_CHIP"                # /dev/gpiochipN
#   sim_pull rail_left pull-up      # drive an input line high (pull-down: low)
#   sim_value drive_enable          # what a consumer drives on an output line: 0 or 1
#   sim_remove                      # live=0: the chip goes away under its consumers
#   sim_restore                     # live=1 again (the gpiochipN number may change)
#   sim_destroy                     # live=0 and remove the configfs tree
#
# Lines, offsets 0..7 (SIM_LINES): estop safety_key rail_left rail_right front_zone
# drive_enable warning spare.
# After sim_create / sim_restore these are set:
#   SIM_CHIP      /dev/gpiochipN            SIM_CHIP_NAME  gpiochipN
#   SIM_DEV_NAME  gpio-sim.N (platform device)
#   SIM_SYSFS     /sys/devices/platform/gpio-sim.N/gpiochipN (holds sim_gpio0..7/{pull,value})
# Functions print the reason to stderr and return non-zero on failure.
# shellcheck shell=bash

SIM_NAME=${SIM_NAME:-treadmill}
SIM_LINES=(estop safety_key rail_left rail_right front_zone drive_enable warning spare)
SIM_CONFIGFS=/sys/kernel/config
SIM_DIR=$SIM_CONFIGFS/gpio-sim/$SIM_NAME

sim_err() { printf 'gpio-sim: %s\n' "$*" >&2; return 1; }

sim_mount_configfs() {
  if ! grep -qs " $SIM_CONFIGFS configfs " /proc/mounts; then
    mount -t configfs configfs "$SIM_CONFIGFS" || sim_err "cannot mount configfs on $SIM_CONFIGFS" || return 1
  fi
  [ -d "$SIM_CONFIGFS/gpio-sim" ] || sim_err "$SIM_CONFIGFS/gpio-sim missing: kernel without CONFIG_GPIO_SIM?"
}

# Offset of a line given by name (or by a number 0..7).
sim_offset() {
  local want=$1 i
  if [[ $want =~ ^[0-9]+$ ]] && [ "$want" -lt "${#SIM_LINES[@]}" ]; then echo "$want"; return 0; fi
  for i in "${!SIM_LINES[@]}"; do
    if [ "${SIM_LINES[$i]}" = "$want" ]; then echo "$i"; return 0; fi
  done
  sim_err "no line named '$want' (lines: ${SIM_LINES[*]})"
}

# Fills SIM_DEV_NAME, SIM_CHIP_NAME, SIM_CHIP, SIM_SYSFS from the live configfs entry.
sim_discover() {
  local i
  [ "$(cat "$SIM_DIR/live" 2>/dev/null)" = 1 ] || sim_err "$SIM_DIR is not live" || return 1
  SIM_DEV_NAME=$(cat "$SIM_DIR/dev_name") || return 1
  SIM_CHIP_NAME=$(cat "$SIM_DIR/bank0/chip_name") || return 1
  [ -n "$SIM_CHIP_NAME" ] && [ "$SIM_CHIP_NAME" != none ] \
    || sim_err "bank0 has no chip_name after going live" || return 1
  SIM_CHIP=/dev/$SIM_CHIP_NAME
  SIM_SYSFS=/sys/devices/platform/$SIM_DEV_NAME/$SIM_CHIP_NAME
  # devtmpfs creates the node asynchronously; give it a moment.
  for i in $(seq 50); do
    [ -c "$SIM_CHIP" ] && [ -d "$SIM_SYSFS/sim_gpio0" ] && break
    sleep 0.1
  done
  [ -c "$SIM_CHIP" ] || sim_err "$SIM_CHIP did not appear" || return 1
  [ -d "$SIM_SYSFS/sim_gpio0" ] || sim_err "$SIM_SYSFS/sim_gpio0 did not appear" || return 1
  export SIM_DEV_NAME SIM_CHIP_NAME SIM_CHIP SIM_SYSFS
}

# Creates the chip (replacing a previous one of the same name) and brings it live.
sim_create() {
  local i
  sim_mount_configfs || return 1
  [ -d "$SIM_DIR" ] && { sim_destroy || return 1; }
  mkdir "$SIM_DIR" || sim_err "mkdir $SIM_DIR failed" || return 1
  mkdir "$SIM_DIR/bank0" || return 1
  echo "$SIM_NAME" >"$SIM_DIR/bank0/label" || return 1
  echo "${#SIM_LINES[@]}" >"$SIM_DIR/bank0/num_lines" || return 1
  for i in "${!SIM_LINES[@]}"; do
    mkdir "$SIM_DIR/bank0/line$i" || return 1
    echo "${SIM_LINES[$i]}" >"$SIM_DIR/bank0/line$i/name" || return 1
  done
  echo 1 >"$SIM_DIR/live" || sim_err "could not bring $SIM_DIR live" || return 1
  sim_discover
}

# Drives an input: the value a consumer reads follows the pull (pull-up = 1, pull-down = 0).
sim_pull() {
  local off
  [ $# -eq 2 ] || sim_err "usage: sim_pull NAME pull-up|pull-down" || return 1
  case $2 in pull-up|pull-down) ;; *) sim_err "sim_pull: '$2' is not pull-up or pull-down"; return 1 ;; esac
  off=$(sim_offset "$1") || return 1
  echo "$2" >"$SIM_SYSFS/sim_gpio$off/pull" || sim_err "writing $SIM_SYSFS/sim_gpio$off/pull failed"
}

# Prints the line's current value (0/1): for an output, what its consumer drives.
sim_value() {
  local off
  [ $# -eq 1 ] || sim_err "usage: sim_value NAME" || return 1
  off=$(sim_offset "$1") || return 1
  cat "$SIM_SYSFS/sim_gpio$off/value" || sim_err "reading $SIM_SYSFS/sim_gpio$off/value failed"
}

# Takes the chip away (live=0) even while consumers hold lines: their requests go stale,
# the /dev node disappears, and they see errors (and, with libgpiod, a closed chip fd).
sim_remove() {
  [ -e "$SIM_DIR/live" ] || sim_err "$SIM_DIR does not exist" || return 1
  echo 0 >"$SIM_DIR/live" || sim_err "could not set $SIM_DIR/live to 0"
}

# Brings a removed chip back (the gpiochipN number may differ: SIM_* are refreshed).
sim_restore() {
  echo 1 >"$SIM_DIR/live" || sim_err "could not set $SIM_DIR/live to 1" || return 1
  sim_discover
}

# live=0, then removes the configfs tree.
sim_destroy() {
  local d
  [ -d "$SIM_DIR" ] || return 0
  if [ "$(cat "$SIM_DIR/live" 2>/dev/null)" = 1 ]; then
    echo 0 >"$SIM_DIR/live" || return 1
  fi
  for d in "$SIM_DIR"/bank*/line*/hog; do [ -d "$d" ] && rmdir "$d"; done
  for d in "$SIM_DIR"/bank*/line*; do [ -d "$d" ] && rmdir "$d"; done
  for d in "$SIM_DIR"/bank*; do [ -d "$d" ] && rmdir "$d"; done
  rmdir "$SIM_DIR" || sim_err "rmdir $SIM_DIR failed"
}
