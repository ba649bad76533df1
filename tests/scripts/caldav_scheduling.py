"""CalDAV scheduling end to end with python3-caldav (RFC 6638 over Exchange).

Usage: caldav_scheduling.py BASE_URL ALICE BOB PASSWORD
Prints one line per step and OK at the end; exits non-zero on failure.
"""
import sys
import time

import caldav

base, alice_addr, bob_addr, password = sys.argv[1:5]
UID = "calsched-e2e-1@example.test"
EVENT = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//e2e//caldav_scheduling//EN
BEGIN:VEVENT
UID:{UID}
DTSTAMP:20260301T000000Z
DTSTART:20260302T100000Z
DTEND:20260302T110000Z
SUMMARY:Planning meeting
ORGANIZER;CN=Alice:mailto:{alice_addr}
ATTENDEE;CN=Alice;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:{alice_addr}
ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{bob_addr}
END:VEVENT
END:VCALENDAR
"""


def step(msg):
    print(msg, flush=True)


def event_calendar(principal):
    for c in principal.calendars():
        if "VEVENT" in c.get_supported_components():
            return c
    raise SystemExit("no VEVENT calendar")


alice = caldav.DAVClient(url=base, username=alice_addr, password=password)
bob = caldav.DAVClient(url=base, username=bob_addr, password=password)
assert alice.check_scheduling_support(), "calendar-auto-schedule not advertised"
ap = alice.principal()
bp = bob.principal()
assert f"mailto:{alice_addr}" in [a.lower() for a in ap.calendar_user_address_set()]
acal = event_calendar(ap)
bcal = event_calendar(bp)

# alice invites bob: her PUT sends the meeting request through Exchange.
acal.save_event(EVENT)
step("invitation saved by alice")

inbox = bp.schedule_inbox()
found = None
for _ in range(20):
    for item in inbox.get_items():
        if UID in item.data:
            found = item
            break
    if found:
        break
    inbox._items = None
    time.sleep(0.25)
assert found is not None, "no request in bob's schedule inbox"
assert "METHOD:REQUEST" in found.data, found.data
step("request in bob's schedule inbox")

bev = bcal.event_by_uid(UID)
assert "Planning meeting" in bev.data, bev.data
step("meeting in bob's calendar")

# bob accepts: his PUT with PARTSTAT=ACCEPTED sends the response.
bev.change_attendee_status(partstat="ACCEPTED")
bev.save()
step("bob accepted")

aev = acal.event_by_uid(UID)
attendees = [str(a) for a in aev.icalendar_component.get("attendee", [])]
bob_line = [a for a in aev.icalendar_component.get("attendee", []) if bob_addr in str(a).lower()]
assert bob_line, f"bob is no attendee of alice's event: {attendees}"
assert bob_line[0].params.get("PARTSTAT") == "ACCEPTED", aev.data
step("alice sees bob ACCEPTED")

# Free/busy of bob through alice's outbox.
outbox = ap.schedule_outbox()
fb = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//e2e//caldav_scheduling//EN
METHOD:REQUEST
BEGIN:VFREEBUSY
UID:fb-e2e-1
DTSTAMP:20260301T000000Z
DTSTART:20260302T000000Z
DTEND:20260303T000000Z
ORGANIZER:mailto:{alice_addr}
ATTENDEE:mailto:{bob_addr}
END:VFREEBUSY
END:VCALENDAR
"""
r = alice.post(outbox.url, fb, headers={"Content-Type": "text/calendar; charset=utf-8"})
assert r.status == 200, r.status
raw = r.raw if isinstance(r.raw, str) else r.raw.decode()
assert "2.0;Success" in raw, raw
assert "20260302T100000Z/20260302T110000Z" in raw, raw
step("free-busy of bob shows the meeting")

# free-busy-query REPORT on alice's own calendar.
from datetime import datetime, timezone

fbq = acal.freebusy_request(
    datetime(2026, 3, 2, tzinfo=timezone.utc), datetime(2026, 3, 3, tzinfo=timezone.utc)
)
assert "20260302T100000Z/20260302T110000Z" in fbq.data, fbq.data
step("free-busy-query shows the meeting")

# An attendee the client schedules itself (SCHEDULE-AGENT=CLIENT) gets nothing.
UID2 = "calsched-e2e-2@example.test"
acal.save_event(
    EVENT.replace(UID, UID2).replace("RSVP=TRUE:", "RSVP=TRUE;SCHEDULE-AGENT=CLIENT:")
)
inbox._items = None
assert not [i for i in inbox.get_items() if UID2 in i.data], "SCHEDULE-AGENT=CLIENT was not respected"
step("SCHEDULE-AGENT=CLIENT respected")

# The organizer deletes the meeting: bob gets the cancellation.
aev.delete()
inbox._items = None
cancels = [i for i in inbox.get_items() if UID in i.data and "METHOD:CANCEL" in i.data]
assert cancels, [i.data for i in inbox.get_items()]
step("cancellation in bob's schedule inbox")
for item in [i for i in inbox.get_items() if UID in i.data]:
    item.delete()
inbox._items = None
assert not [i for i in inbox.get_items() if UID in i.data], "DELETE left messages in the inbox"
step("schedule inbox DELETE removes the messages")

# MKCALENDAR, then the calendar lists and answers at the URL the client chose.
pc = ap.make_calendar(name="Project X")
names = [c.name for c in ap.calendars()]
assert "Project X" in names, names
assert pc.get_display_name() == "Project X"
try:
    alice.request(str(pc.url), "MKCALENDAR", "")
    raise SystemExit("a second MKCALENDAR at the same URL succeeded")
except caldav.lib.error.AuthorizationError as e:  # 403 (DAV:resource-must-be-null)
    assert "Forbidden" in str(e), e
step("MKCALENDAR created Project X")
tl = ap.make_calendar(name="Errands", supported_calendar_component_set=["VTODO"])
tasks = [c for c in ap.calendars() if c.name == "Errands"]
assert tasks and tasks[0].get_supported_components() == ["VTODO"], tasks
step("MKCALENDAR created a task list")
home = str(acal.url).rstrip("/").rsplit("/", 1)[0] + "/"
mk = """<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/">
  <D:set><D:prop>
    <D:displayname>Team rota</D:displayname>
    <C:calendar-description>Who is on call</C:calendar-description>
    <A:calendar-color>#FF8800FF</A:calendar-color>
  </D:prop></D:set>
</C:mkcalendar>"""
r = alice.request(home + "rota/", "MKCALENDAR", mk)
assert r.status == 201, r.status
pf = """<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:A="http://apple.com/ns/ical/">
  <D:prop><D:displayname/><C:calendar-description/><A:calendar-color/></D:prop>
</D:propfind>"""
r = alice.propfind(home + "rota/", pf, depth=0)
raw = r.raw if isinstance(r.raw, str) else r.raw.decode()
for want in ("Team rota", "Who is on call", "#FF8800FF"):
    assert want in raw, raw
step("MKCALENDAR kept description and color")
print("OK")
