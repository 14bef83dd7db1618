#!/usr/bin/env bash
# A throwaway Dovecot IMAP server on loopback for the IMAP tests and benchmark.
#
#   dovecot_fixture.sh start DIR PORT [tls|starttls]
#                                             write DIR/dovecot.conf, start `dovecot -F` listening on 127.0.0.1
#                                             only; PORT is tried first, a free port is taken when it is busy,
#                                             and the one used is written to DIR/port. With tls: IMAPS only;
#                                             with starttls: IMAP offering STARTTLS; both with a self-signed
#                                             certificate for 127.0.0.1 in DIR/ca.pem.
#   dovecot_fixture.sh user DIR NAME [V]      (re)create user NAME (password "secret") with a Maildir holding
#                                             the fixture messages, UIDVALIDITY V (424242), UIDs 1.. in order
#   dovecot_fixture.sh deliver DIR NAME FILE  deliver FILE to NAME's Maildir new/
#   dovecot_fixture.sh renumber DIR NAME V    give NAME's mailbox UIDVALIDITY V: the index and UID list go and
#                                             the messages are numbered from 1 again
#   dovecot_fixture.sh folder DIR NAME BOX    create mailbox BOX (UTF-8) for NAME holding the fixture messages
#   dovecot_fixture.sh kick DIR NAME          disconnect NAME's sessions
#   dovecot_fixture.sh halt DIR               stop the server, keeping its state (resume starts it again)
#   dovecot_fixture.sh resume DIR             start the halted server again on the same port
#   dovecot_fixture.sh stop DIR               stop the server started in DIR and remove DIR
#
# As root the mail processes run as nobody (uid 65534; Dovecot refuses uid 0) and logins as dovenull; otherwise
# everything runs as the current user. Loopback counts as secured, so plaintext LOGIN works.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
messages_dir=${CRMSYNC_IMAP_FIXTURE_MESSAGES:-$here/messages}
password=secret

usage() {
  echo "usage: $0 start DIR PORT [tls|starttls] | user DIR NAME [V] | deliver DIR NAME FILE | renumber DIR NAME V |" \
    "folder DIR NAME BOX | kick DIR NAME | halt DIR | resume DIR | stop DIR" >&2
  exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2

if [ "$(id -u)" -eq 0 ]; then
  mail_uid=65534
  mail_gid=65534
  internal_user=dovecot
  internal_group=dovecot
  login_user=dovenull
else
  mail_uid=$(id -u)
  mail_gid=$(id -g)
  internal_user=$(id -un)
  internal_group=$(id -gn)
  login_user=$(id -un)
fi

# Files the mail processes read and write must belong to the mail uid.
own() {
  if [ "$(id -u)" -eq 0 ]; then chown -R "$mail_uid:$mail_gid" "$@"; fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

stop_server() {
  if [ -f "$dir/dovecot.pid" ]; then
    local pid
    pid=$(cat "$dir/dovecot.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
      done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$dir/dovecot.pid"
  fi
}

write_config() {
  local port=$1 tls=$2 imap_port imaps_port ssl_lines
  if [ "$tls" = tls ]; then
    imap_port=0
    imaps_port=$port
    ssl_lines="ssl = required
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem"
  elif [ "$tls" = starttls ]; then
    imap_port=$port
    imaps_port=0
    ssl_lines="ssl = yes
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem"
  else
    imap_port=$port
    imaps_port=0
    ssl_lines="ssl = no"
  fi
  cat >"$dir/dovecot.conf" <<EOF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
$ssl_lines
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = $internal_user
default_internal_group = $internal_group
default_login_user = $login_user
first_valid_uid = 1
# Tests log in with wrong passwords on purpose: no growing delays for loopback after a failure.
login_trusted_networks = 127.0.0.0/8
auth_failure_delay = 0
mail_location = maildir:$dir/mail/%u/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = uid=$mail_uid gid=$mail_gid home=$dir/mail/%u
}
protocol imap {
  rawlog_dir = $dir/rawlog/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
  }
}
service anvil {
  chroot =
}
EOF
}

make_certificate() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
  cp "$dir/cert.pem" "$dir/ca.pem"
}

wait_for_port() {
  local port=$1
  for _ in $(seq 1 200); do
    if ! port_free "$port"; then return 0; fi
    if ! kill -0 "$(cat "$dir/dovecot.pid")" 2>/dev/null; then return 1; fi
    sleep 0.05
  done
  return 1
}

# The fixture messages in file-name order, which is the order Dovecot gives UIDs in; message 04 is stored as
# already read (flag S), the others unread.
fill_maildir() {
  local maildir=$1 i=0 name flags
  mkdir -p "$maildir/cur" "$maildir/new" "$maildir/tmp"
  for file in "$messages_dir"/*.eml; do
    i=$((i + 1))
    flags=""
    case "$(basename "$file")" in 04-*) flags=S ;; esac
    name=$(printf '%d.M%dP1.crmsync' $((1714000000 + i)) "$i")
    cp "$file" "$maildir/cur/$name:2,$flags"
    touch -d "@$((1714000000 + i * 3600))" "$maildir/cur/$name:2,$flags"
  done
}

# DIR, or the /tmp directory it links to and the link.
remove_state() {
  if [ -L "$dir" ]; then
    rm -rf "$(readlink -f "$dir")"
    rm -f "$dir"
  else
    rm -rf "$dir"
  fi
}

launch() {
  local port
  port=$(cat "$dir/port" 2>/dev/null || echo "$1")
  dovecot -F -c "$dir/dovecot.conf" >"$dir/stdout.log" 2>&1 &
  echo $! >"$dir/dovecot.pid"
  if ! wait_for_port "$port"; then
    echo "dovecot_fixture: Dovecot did not listen on 127.0.0.1:$port; its log:" >&2
    cat "$dir/stdout.log" "$dir/dovecot.log" >&2 2>/dev/null || true
    stop_server
    exit 1
  fi
}

case "$cmd" in
  start)
    [ $# -ge 3 ] || usage
    port=$3
    tls=${4:-}
    case "$port" in '' | *[!0-9]*) echo "dovecot_fixture: PORT must be a number, got '$port'" >&2; exit 2 ;; esac
    mkdir -p "$(dirname "$dir")"
    dir=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")
    stop_server
    remove_state
    # As root, Dovecot's own processes (dovenull, nobody) must reach the state: when DIR lies below a directory
    # they cannot enter (a build tree under /root, say), the state goes to /tmp and DIR links to it.
    if [ "$(id -u)" -eq 0 ] && ! runuser -u "$login_user" -- test -x "$(dirname "$dir")" 2>/dev/null; then
      real=$(mktemp -d /tmp/crmsync-dovecot.XXXXXX)
      ln -s "$real" "$dir"
      dir=$real
    fi
    mkdir -p "$dir/run" "$dir/state" "$dir/mail" "$dir/rawlog"
    chmod 755 "$dir" "$dir/mail"
    own "$dir/rawlog"
    touch "$dir/users"
    chmod 644 "$dir/users"
    for _ in $(seq 1 50); do
      port_free "$port" && break
      port=$((20000 + RANDOM % 40000))
    done
    case "$tls" in
      '') ;;
      tls | starttls) make_certificate ;;
      *) usage ;;
    esac
    write_config "$port" "$tls"
    launch "$port"
    echo "$port" >"$dir/port"
    scheme=imap
    [ "$tls" = tls ] && scheme=imaps
    echo "dovecot_fixture: $scheme://127.0.0.1:$port${tls:+ ($tls)} (state in $dir)"
    ;;
  user)
    [ $# -ge 3 ] || usage
    name=$3
    validity=${4:-424242}
    home=$dir/mail/$name
    rm -rf "$home" "$dir/rawlog/$name"
    mkdir -p "$home" "$dir/rawlog/$name"
    fill_maildir "$home/Maildir"
    printf '3 V%s N1\n' "$validity" >"$home/Maildir/dovecot-uidlist"
    own "$home" "$dir/rawlog/$name"
    # flock: tests add users in parallel.
    (
      flock 9
      if ! grep -q "^$name:" "$dir/users"; then
        echo "$name:{PLAIN}$password" >>"$dir/users"
        # Dovecot looks at the passwd-file at most once a second (it may have just done so): a login in the
        # next second sees the new user.
        ms=$(( (1000000000 - 10#$(date +%N)) / 1000000 + 20 ))
        sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
      fi
    ) 9>"$dir/users.lock"
    ;;
  deliver)
    [ $# -eq 4 ] || usage
    name=$3
    file=$4
    maildir=$dir/mail/$name/Maildir
    unique=$(date +%s).M$(date +%N)P$$.crmsync
    cp "$file" "$maildir/tmp/$unique"
    own "$maildir/tmp/$unique"
    mv "$maildir/tmp/$unique" "$maildir/new/$unique"
    ;;
  renumber)
    [ $# -eq 4 ] || usage
    name=$3
    validity=$4
    maildir=$dir/mail/$name/Maildir
    rm -f "$maildir"/dovecot.index* "$maildir"/dovecot-uidlist "$maildir"/dovecot.list.index*
    printf '3 V%s N1\n' "$validity" >"$maildir/dovecot-uidlist"
    own "$maildir/dovecot-uidlist"
    ;;
  folder)
    [ $# -eq 4 ] || usage
    doveadm -c "$dir/dovecot.conf" mailbox create -u "$3" "$4"
    for file in "$messages_dir"/*.eml; do
      doveadm -c "$dir/dovecot.conf" save -u "$3" -m "$4" <"$file"
    done
    ;;
  kick)
    [ $# -eq 3 ] || usage
    # Exit status 68: nobody of that name was connected.
    rc=0
    doveadm -c "$dir/dovecot.conf" kick "$3" >/dev/null || rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 68 ]
    ;;
  halt)
    stop_server
    ;;
  resume)
    launch ""
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    stop_server
    remove_state
    ;;
  *)
    usage
    ;;
esac
