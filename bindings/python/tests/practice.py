"""An in-memory practice written in Python: Riverbend Health Network, a master instance with a
North location; four staff users, two patients and their portal users. Roles come from the SDK's
RoleStore (the late-binding order vendors ask about: the store opens first, the services answer
user_has_role from it, and the plugin's roles are declared to it after discover())."""
from __future__ import annotations

import threading

import ehr_host
from ehr_host import Organization, Patient, PortalUser, PortalUserKind, User

STAFF = [User("admin", "Alex Morgan"), User("drlee", "Dr. Lee"), User("nurse", "Jamie Smith"),
         User("drpatel", "Dr. Patel")]
PATIENTS = {"p01": Patient("p01", "Maria Alvarez", "north"), "p02": Patient("p02", "Lily Nguyen", "north")}
CARE_TEAMS = {"p01": ["drlee", "nurse"], "p02": ["nurse"]}
PORTAL_USERS = {"maria": PortalUser("maria", "Maria Alvarez", "Maria"),
                "hoa": PortalUser("hoa", "Hoa Nguyen", "Hoa", PortalUserKind.GUARDIAN)}
CONTACTS = {"p01": ["maria"], "p02": ["hoa"]}
COMPANY = Organization("", "Riverbend Health Network", "Riverbend Health", "1 River Road", "555-0100",
                       "https://portal.example.org", is_master=True)
LOCATIONS = [Organization("north", "Riverbend North Clinic", "North Clinic", "2 North Street", "555-0101")]


class Practice(ehr_host.HostServices):
    def __init__(self, roles: ehr_host.RoleStore):
        self.roles = roles
        self.lock = threading.Lock()
        self.notifications: list[ehr_host.Notification] = []
        self.audit_copies: list[ehr_host.AuditEvent] = []
        self.threads_seen: set[int] = set()

    def _seen(self) -> None:
        with self.lock:
            self.threads_seen.add(threading.get_ident())

    def log(self, level, message):
        pass

    def get_user(self, user_id):
        self._seen()
        return next((u for u in STAFF if u.id == user_id), None)

    def user_has_role(self, user_id, role_id):
        self._seen()
        try:
            return self.roles.has_role(user_id, role_id)
        except ehr_host.NotFound:
            return False  # a role not declared (yet) is a role nobody holds

    def list_users_with_role(self, role_id):
        return [u for u in STAFF if u.id in self.roles.members(role_id)]

    def get_patient(self, patient_id):
        return PATIENTS.get(patient_id)

    def list_care_team(self, patient_id):
        if patient_id not in CARE_TEAMS:
            raise ehr_host.NotFound(f"no patient {patient_id}")
        return CARE_TEAMS[patient_id]

    def get_portal_user(self, portal_user_id):
        return PORTAL_USERS.get(portal_user_id)

    def list_patient_contacts(self, patient_id):
        return [PORTAL_USERS[p] for p in CONTACTS.get(patient_id, [])]

    def list_contact_charts(self, portal_user_id):
        return [patient for patient, contacts in CONTACTS.items() if portal_user_id in contacts]

    def get_company(self):
        return COMPANY

    def list_locations(self):
        return LOCATIONS

    def notify(self, notification):
        with self.lock:
            self.notifications.append(notification)

    def audit(self, event):
        self._seen()
        with self.lock:
            self.audit_copies.append(event)
