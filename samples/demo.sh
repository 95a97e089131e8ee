#!/usr/bin/env bash
# The reference host's demo: walks the "Patient Portal My Messages" help text as an admin, a
# clinician and a portal user would, on the sample practice, in a fresh temporary data directory.
# Usage: samples/demo.sh BUILD_DIR [--web [ADDR:PORT]]   (scripts/demo builds and calls it)
# With --web, the walk is followed by `ehr-host serve` on the same data (default 127.0.0.1:8080),
# with demo passwords set and printed, until Ctrl-C.
set -euo pipefail

if [ $# -lt 1 ] || [ ! -d "$1" ] || { [ $# -ge 2 ] && [ "$2" != "--web" ]; }; then
  echo "usage: samples/demo.sh BUILD_DIR [--web [ADDR:PORT]]" >&2
  exit 2
fi
build="$(cd "$1" && pwd)"
web=false
[ "${2:-}" = "--web" ] && web=true
listen="${3:-127.0.0.1:8080}"
here="$(cd "$(dirname "$0")" && pwd)"
host_bin="$build/samples/ehr-host"
[ -x "$host_bin" ] || { echo "demo: $host_bin is missing; build first (scripts/demo does)" >&2; exit 1; }

data="$(mktemp -d "${TMPDIR:-/tmp}/ehr-host-demo.XXXXXX")"
trap 'rm -rf "$data"' EXIT
export EHR_HOST_DATA="$data"
export EHR_HOST_PLUGINS="$build/plugins"
export EHR_HOST_PRACTICE="$here/practice/clinic-network.xml"

bold=""; plain=""
if [ -t 1 ]; then bold="$(printf '\033[1m')"; plain="$(printf '\033[0m')"; fi

# The command line as a person would type it: arguments with spaces in quotes.
shown() {
  local arg out=""
  for arg in "$@"; do
    case "$arg" in
      *[[:space:]\'\"\$\;\&\|\<\>\(\)\!\*\?]*) out+=" \"${arg//\"/\\\"}\"" ;;
      *) out+=" $arg" ;;
    esac
  done
  printf '%s' "${out# }"
}
chapter() { printf '\n%s=== %s ===%s\n' "$bold" "$*" "$plain"; }
say() { printf '\n# %s\n' "$*"; }
# Runs ehr-host and shows the command; the demo stops if it fails.
host() {
  printf '%s$ ehr-host %s%s\n' "$bold" "$(shown "$@")" "$plain"
  "$host_bin" "$@"
}
# Runs ehr-host expecting a refusal: shows the reason it gives, and stops the demo if it succeeds.
refused() {
  printf '%s$ ehr-host %s%s\n' "$bold" "$(shown "$@")" "$plain"
  local status=0
  "$host_bin" "$@" 2>"$data/refusal.txt" || status=$?
  if [ "$status" -eq 0 ]; then
    echo "demo: expected a refusal, but it succeeded" >&2
    exit 1
  fi
  # What the person at the terminal reads, unchanged, then the exit status a script would test.
  cat "$data/refusal.txt"
  printf '(exit status %s)\n' "$status"
}
# Writes a message body on stdin, as a person typing a longer message would.
host_stdin() {
  local body="$1"
  shift
  printf '%s$ ehr-host %s <<< "%s"%s\n' "$bold" "$(shown "$@")" "$body" "$plain"
  printf '%s' "$body" | "$host_bin" "$@"
}

echo "Reference host demo: Riverbend Health Network (a master instance with three locations),"
echo "data directory $data (deleted at the end)."

chapter "The plugin manager"
say "The host finds plugins by their manifests; a new plugin waits for an admin to enable it."
host plugins list
host plugins verify portal-messaging
host plugins enable portal-messaging

chapter "Enable My Messages (Settings > Portal)"
say "To access Portal Settings, a user must be assigned the Manage Portal Settings role."
say "Dr. Lee does not hold it:"
refused settings show --as drlee --general
say "Alex Morgan (admin) does. The General section, as it is before anything is saved:"
host settings show --as admin --general
say "Toggle on My Messages for all locations, with the Care Team only audience, and Save:"
host settings set --as admin --general my_messages=on audience=care_team_only
say "A typo is refused with the field named, and nothing on the page is saved:"
refused settings set --as admin --general my_messages=on audience=everyone

chapter "Location Settings: one location with settings of its own"
say "South follows General until its own page is saved:"
host settings show --as admin --location south
say "Let any user available for portal messages write to South's patients (Selected users):"
host settings set --as admin --location south audience=selected_users
host settings effective --as admin
say "Reset South: it follows General again."
host settings reset --as admin --location south

chapter "Leave General off and enable only one location"
host settings set --as admin --general my_messages=off
say "North: My Messages on, and Use Location Information on so North brands its own portal mail."
host settings set --as admin --location north my_messages=on use_location_information=on
host settings effective --as admin

chapter "Assign the Available for Portal Messages role"
say "Dr. Kim's user page, Patient Portal roles section:"
host users show drkim
say "Manage Users > Assign Roles: several users at once (all or nothing, says how many changed)."
host roles assign available_for_portal_messages --as admin drkim nurse2 nurse3
say "Doing it again changes nobody:"
host roles assign available_for_portal_messages --as admin drkim nurse2 nurse3
say "Remove it from two of them again (Unassign Selected):"
host roles unassign available_for_portal_messages --as admin nurse2 nurse3
host roles members available_for_portal_messages --as admin
say "Only users who may manage users can change roles:"
refused roles assign available_for_portal_messages --as drlee nurse2

chapter "A conversation, both ways (North: Maria Alvarez's chart)"
say "Dr. Lee writes to Maria through the portal:"
host messages send --as drlee --patient p01 --to portal:maria --subject "Your lab results" \
  --body "Hi Maria, your lab results are in and everything looks normal." | tee "$data/sent.txt"
thread="$(sed -n 's/^Sent: thread \([0-9]*\),.*/\1/p' "$data/sent.txt")"
say "Maria sees one unread thread, reads it, and answers (her message comes on stdin):"
host messages inbox --as portal:maria
host messages read "$thread" --as portal:maria
host_stdin "Thank you, Dr. Lee! Should I keep taking the vitamin D?" messages reply "$thread" --as portal:maria
say "Dr. Lee's inbox badge, the thread, and the answer:"
host messages inbox --as drlee
host messages read "$thread" --as drlee
host messages reply "$thread" --as drlee --body "Yes, keep taking it until your next visit."
say "Hoa Nguyen, guardian of two children at North, may write about Lily only to these people:"
host messages recipients --as portal:hoa --patient p03
host messages send --as portal:hoa --patient p03 --to nurse1 --subject "Fever" \
  --body "Lily has had a fever since last night." | tee "$data/sent.txt"
fever="$(sed -n 's/^Sent: thread \([0-9]*\),.*/\1/p' "$data/sent.txt")"
host messages reply "$fever" --as nurse1 --body "Please bring her in at 3 pm today."

chapter "A refusal says why"
say "South follows General, which is off: Dr. Patel cannot write to Aisha Rahman's portal account."
refused messages send --as drpatel --patient p08 --to portal:aisha --body "Hello Aisha"
say "Ask without sending anything:"
host messages explain --staff drpatel --patient p08
host messages explain --staff drkim --patient p05
say "Hoa is not a contact on Maria's chart:"
refused messages recipients --as portal:hoa --patient p01
say "The rules are checked again on every reply: once Jamie Smith loses the role, her reply is refused."
host users edit nurse1 --as admin --set available_for_portal_messages=off
refused messages reply "$fever" --as nurse1 --body "How is Lily now?"
host users edit nurse1 --as admin --set available_for_portal_messages=on
say "An integrator's hook (samples/hooks/card_number_guard) keeps card numbers out of the portal:"
refused messages reply "$thread" --as portal:maria --body "Can I pay my bill with 4111 1111 1111 1111?"

chapter "Branded notifications (no message content, ever)"
say "Aisha (South, company brand) is invited to the portal:"
host portal invite portal:aisha --as admin
say "What the host delivered: North's patients get North's Alias (Use Location Information is on there), South's the company's Alias. None carries a message, a subject or a chart."
host notifications list --as admin

chapter "The audit trail"
host audit list --as admin --patient p01
host audit verify

printf '\nDemo finished: every step above ran against the real plugin through the host SDK.\n'

if ! $web; then
  printf 'To click through the same screens in a browser: scripts/demo --web\n'
  exit 0
fi
chapter "The same practice in a browser"
password="demo-password"
say "Demo passwords (set with ehr-host users set-password, stored as argon2id hashes):"
for who in admin nurse1 portal:maria portal:rachel; do
  printf '%s\n' "$password" | "$host_bin" users set-password "$who" >/dev/null
  printf '  %-14s %s\n' "$who" "$password"
done
say "Staff sign in at http://$listen/ and portal users at http://$listen/portal (Ctrl-C stops the server)."
host serve --listen "$listen"
