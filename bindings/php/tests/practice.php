<?php
// A tiny in-memory practice for the PHP smoke test: Riverbend Health with a North location.
declare(strict_types=1);

use Ehr\Host;
use Ehr\HostServices;

final class Practice implements HostServices
{
    public const STAFF = [
        ['id' => 'admin', 'display_name' => 'Alex Morgan'],
        ['id' => 'drlee', 'display_name' => 'Dr. Lee'],
        ['id' => 'drpatel', 'display_name' => 'Dr. Patel'],
    ];
    public ?Host $roles = null;  // user_has_role answers from the SDK's role store
    public array $notifications = [];
    public array $audit = [];

    public function getUser(string $userId): ?array
    {
        foreach (self::STAFF as $user) {
            if ($user['id'] === $userId) return $user;
        }
        return null;
    }

    public function userHasRole(string $userId, string $roleId): bool
    {
        return $this->roles !== null && $this->roles->hasRole($userId, $roleId);
    }

    public function listUsersWithRole(string $roleId): array
    {
        return array_values(array_filter(self::STAFF, fn($u) => $this->userHasRole($u['id'], $roleId)));
    }

    public function getPatient(string $patientId): ?array
    {
        return $patientId === 'p01' ? ['id' => 'p01', 'display_name' => 'Maria Alvarez', 'location_id' => 'north']
            : null;
    }

    public function listCareTeam(string $patientId): array
    {
        return $patientId === 'p01' ? ['drlee'] : [];
    }

    public function getPortalUser(string $portalUserId): ?array
    {
        return $portalUserId === 'maria' ? ['id' => 'maria', 'display_name' => 'Maria Alvarez', 'first_name' => 'Maria']
            : null;
    }

    public function listPatientContacts(string $patientId): array
    {
        return $patientId === 'p01' ? [$this->getPortalUser('maria')] : [];
    }

    public function listContactCharts(string $portalUserId): array
    {
        return $portalUserId === 'maria' ? ['p01'] : [];
    }

    public function getCompany(): array
    {
        return ['location_id' => '', 'name' => 'Riverbend Health Network', 'alias' => 'Riverbend Health',
            'portal_url' => 'https://portal.example.org', 'is_master' => true];
    }

    public function listLocations(): array
    {
        return [['location_id' => 'north', 'name' => 'Riverbend North Clinic', 'alias' => 'North Clinic']];
    }

    public function notify(array $notification): void
    {
        $this->notifications[] = $notification;
    }

    public function audit(array $event): void
    {
        $this->audit[] = $event;
    }
}
