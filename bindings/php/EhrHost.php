<?php
// A PHP host over the host C API (libehr_host.so) through PHP 8.2's FFI, for EHRs written in PHP
// (OpenEMR and the like). PHP cannot take a call on a foreign thread, so the manager is created
// with EHR_HOST_CALLBACKS_CALLING_THREAD: every host-services callback runs on the PHP thread,
// inside the ehr_host_* call that caused it (see the top of ehr/host_api.h).
declare(strict_types=1);

namespace Ehr;

use FFI;
use FFI\CData;

/** A failed call: the status word, the message (never PHI), the field at fault, the deny reason. */
final class EhrException extends \RuntimeException
{
    public function __construct(public readonly int $status, public readonly string $statusName, string $message,
                                public readonly string $field = '', public readonly string $reason = '')
    {
        parent::__construct("$statusName: $message" . ($field !== '' ? " [field: $field]" : '')
            . ($reason !== '' ? " [reason: $reason]" : ''), $status);
    }
}

/** What only the host knows. Return null from a get* method for an unknown id. */
interface HostServices
{
    public function getUser(string $userId): ?array;               // ['id', 'display_name', 'active']
    public function userHasRole(string $userId, string $roleId): bool;
    public function listUsersWithRole(string $roleId): array;      // of users
    public function getPatient(string $patientId): ?array;         // ['id', 'display_name', 'location_id']
    public function listCareTeam(string $patientId): array;        // staff user ids
    public function getPortalUser(string $portalUserId): ?array;   // ['id', 'display_name', 'first_name', 'kind', 'active']
    public function listPatientContacts(string $patientId): array; // of portal users
    public function listContactCharts(string $portalUserId): array; // patient ids
    public function getCompany(): array;                           // ['location_id' => '', 'name', 'alias', ...]
    public function listLocations(): array;
    public function notify(array $notification): void;             // ['recipient', 'subject', 'text', 'brand_name']
    // A copy of each plugin audit record: ['sequence', 'action', 'actor', 'patient_id', 'outcome', 'hash'].
    // Required: My Messages' manifest needs the audit (and notify) host services.
    public function audit(array $event): void;
}

final class Host
{
    private const STRUCT = ['USER_INFO' => 7, 'PATIENT_INFO' => 8, 'PORTAL_USER_INFO' => 9, 'ORGANIZATION_INFO' => 10,
        'PRINCIPAL' => 13, 'HOST_SERVICES' => 6, 'SETTING_VALUE' => 19, 'START_REQUEST' => 24, 'SENT' => 26,
        'AUDIT_VERIFY_RESULT' => 34, 'HOST_OPTIONS' => 1001, 'HOST_USER_DIRECTORY' => 1005];
    private const CALLBACKS_CALLING_THREAD = 1;
    private const STATUS_OK = 0;
    private const STATUS_NOT_FOUND = 3;
    private const STATUS_INTERNAL = 8;

    public readonly FFI $ffi;
    private ?CData $host = null;
    private ?CData $roles = null;
    private array $keep = [];        // C memory a call uses (strings): released when it returns
    private array $persistent = [];  // what the library keeps using: the tables and their callbacks

    /** Opens the role store (roles.sqlite3 in $dataDirectory) and creates the plugin manager. */
    public function __construct(string $library, string $pluginsDirectory, string $dataDirectory,
                                private readonly HostServices $services, array $staffUsers)
    {
        $this->ffi = FFI::cdef(file_get_contents(__DIR__ . '/ehr_host.h'), $library);
        if (($this->ffi->ehr_host_api_version() >> 16) !== 1) {
            throw new \RuntimeException("$library speaks another host API major");
        }
        $directory = $this->tagged('ehr_host_user_directory', 'HOST_USER_DIRECTORY');
        $directory->list_users = function ($context, $sinkCtx, $sink) use ($staffUsers): int {
            foreach ($staffUsers as $user) {
                $info = $this->user($user);
                $status = $sink($sinkCtx, FFI::addr($info));
                if ($status !== self::STATUS_OK) return $status;
            }
            return self::STATUS_OK;
        };
        $this->persistent[] = $directory;
        $roles = $this->ffi->new('ehr_host_role_store*');
        $this->check(fn($error) => $this->ffi->ehr_host_role_store_open($this->str($dataDirectory),
            FFI::addr($directory), FFI::addr($roles), $error));
        $this->roles = $roles;

        $options = $this->tagged('ehr_host_options', 'HOST_OPTIONS');
        $options->plugins_directory = $this->str($pluginsDirectory);
        $options->host_data_directory = $this->str($dataDirectory);
        $options->start_new_disabled = 1;
        $options->callbacks = self::CALLBACKS_CALLING_THREAD;
        $table = $this->servicesTable();
        $host = $this->ffi->new('ehr_host*');
        $this->check(fn($error) => $this->ffi->ehr_host_create(FFI::addr($options), FFI::addr($table),
            FFI::addr($host), $error));
        $this->host = $host;
    }

    public function __destruct()
    {
        $this->close();
    }

    /** Shuts the plugins down and frees the manager and the role store (idempotent). */
    public function close(): void
    {
        if ($this->host !== null) {
            $this->ffi->ehr_host_destroy($this->host);
            $this->host = null;
        }
        if ($this->roles !== null) {
            $this->ffi->ehr_host_role_store_close($this->roles);
            $this->roles = null;
        }
    }

    // ---- Plugins ----

    public function discover(): void
    {
        $this->check(fn($e) => $this->ffi->ehr_host_discover($this->host, $e));
    }

    public function enable(string $pluginId): void
    {
        $this->check(fn($e) => $this->ffi->ehr_host_enable_plugin($this->host, $this->str($pluginId), $e));
    }

    public function disable(string $pluginId): void
    {
        $this->check(fn($e) => $this->ffi->ehr_host_disable_plugin($this->host, $this->str($pluginId), $e));
    }

    /** 'failed', 'enabled', 'disabled' or 'shut_down'. */
    public function state(string $pluginId): string
    {
        $state = null;
        $sink = function ($ctx, $info) use (&$state): int {
            $state = ['failed', 'enabled', 'disabled', 'shut_down'][$info->state];
            return self::STATUS_OK;
        };
        $this->check(fn($e) => $this->ffi->ehr_host_plugin_info_get($this->host, $this->str($pluginId), null,
            $sink, $e));
        return $state;
    }

    public function shutdown(): void
    {
        $this->check(fn($e) => $this->ffi->ehr_host_shutdown($this->host, $e));
    }

    // ---- Roles and settings ----

    public function declarePluginRoles(): void
    {
        $this->check(fn($e) => $this->ffi->ehr_host_role_store_declare_plugin_roles($this->roles, $this->host, $e));
    }

    public function seedRoles(array $pairs): void
    {
        $count = count($pairs);
        $users = $this->ffi->new("ehr_str[$count]");
        $roles = $this->ffi->new("ehr_str[$count]");
        foreach (array_values($pairs) as $i => [$user, $role]) {
            $users[$i] = $this->str($user);
            $roles[$i] = $this->str($role);
        }
        $this->check(fn($e) => $this->ffi->ehr_host_role_store_seed($this->roles, $users, $roles, $count, null, $e));
    }

    public function setRole(string $actor, string $userId, string $roleId, bool $assigned): void
    {
        $this->check(fn($e) => $this->ffi->ehr_host_role_store_set($this->roles, $this->str($actor),
            $this->str($userId), $this->str($roleId), $assigned ? 1 : 0, null, $e));
    }

    public function hasRole(string $userId, string $roleId): bool
    {
        $out = $this->ffi->new('bool');
        try {
            $this->check(fn($e) => $this->ffi->ehr_host_role_store_has_role($this->roles, $this->str($userId),
                $this->str($roleId), FFI::addr($out), $e));
        } catch (EhrException $unknown) {
            if ($unknown->status === self::STATUS_NOT_FOUND) return false; // not declared (yet): nobody holds it
            throw $unknown;
        }
        return $out->cdata;
    }

    /** Saves one settings page ('' = General) atomically. */
    public function saveSettings(string $pluginId, string $actor, array $values, string $locationId = ''): void
    {
        $count = count($values);
        $array = $this->ffi->new("ehr_setting_value[$count]");
        $i = 0;
        foreach ($values as $key => $value) {
            $array[$i]->struct_type = self::STRUCT['SETTING_VALUE'];
            $array[$i]->struct_size = FFI::sizeof($array[$i]);
            $array[$i]->key = $this->str($key);
            $array[$i]->value = $this->str($value);
            ++$i;
        }
        $this->check(fn($e) => $this->ffi->ehr_host_settings_save($this->host, $this->str($pluginId),
            $this->str($actor), $this->str($locationId), $array, $count, $e));
    }

    // ---- Messaging ----

    /** Starts a thread from a staff user to portal users; returns the thread id. */
    public function send(string $channel, string $staffUserId, string $patientId, array $portalUserIds,
                         string $subject, string $body): int
    {
        $count = count($portalUserIds);
        $recipients = $this->ffi->new('ehr_principal[' . max(1, $count) . ']');
        foreach (array_values($portalUserIds) as $i => $id) {
            $recipients[$i] = $this->principal(2, $id);
        }
        $request = $this->tagged('ehr_start_request', 'START_REQUEST');
        $request->sender = $this->principal(1, $staffUserId);
        $request->patient_id = $this->str($patientId);
        $request->recipients = $this->ffi->cast('const ehr_principal*', FFI::addr($recipients));
        $request->recipient_count = $count;
        $request->subject = $this->str($subject);
        $request->body = $this->str($body);
        $sent = $this->tagged('ehr_sent', 'SENT');
        $this->check(fn($e) => $this->ffi->ehr_host_channel_start($this->host, $this->str($channel),
            FFI::addr($request), FFI::addr($sent), $e));
        return $sent->thread_id;
    }

    public function unread(string $channel, int $kind, string $readerId): int
    {
        $reader = $this->principal($kind, $readerId);
        $out = $this->ffi->new('uint64_t');
        $this->check(fn($e) => $this->ffi->ehr_host_channel_unread($this->host, $this->str($channel),
            FFI::addr($reader), FFI::addr($out), $e));
        return $out->cdata;
    }

    /** The thread's message bodies, oldest first, as $kind (1 staff, 2 portal user) $readerId reads them. */
    public function read(string $channel, int $kind, string $readerId, int $threadId): array
    {
        $reader = $this->principal($kind, $readerId);
        $bodies = [];
        $sink = function ($ctx, $message) use (&$bodies): int {
            $bodies[] = self::text($message->body);
            return self::STATUS_OK;
        };
        $this->check(fn($e) => $this->ffi->ehr_host_channel_read($this->host, $this->str($channel),
            FFI::addr($reader), $threadId, null, $sink, $e));
        return $bodies;
    }

    /** ['ok' => bool, 'records_checked' => int, 'first_bad_sequence' => int] */
    public function auditVerify(string $pluginId): array
    {
        $result = $this->tagged('ehr_audit_verify_result', 'AUDIT_VERIFY_RESULT');
        $this->check(fn($e) => $this->ffi->ehr_host_audit_verify($this->host, $this->str($pluginId),
            FFI::addr($result), $e));
        return ['ok' => $result->ok === 1, 'records_checked' => $result->records_checked,
            'first_bad_sequence' => $result->first_bad_sequence];
    }

    // ---- Plumbing ----

    /** Runs one call with an error out-parameter; throws EhrException on failure. */
    private function check(callable $call): void
    {
        $error = $this->ffi->new('ehr_error*');
        $status = $call(FFI::addr($error));
        $this->keep = [];
        if ($status === self::STATUS_OK) return;
        $message = FFI::isNull($error) ? '' : self::text($error->message);
        $field = FFI::isNull($error) ? '' : self::text($error->field);
        $reason = FFI::isNull($error) || $error->reason === 0 ? '' : $this->ffi->ehr_host_deny_reason_name($error->reason);
        if (!FFI::isNull($error)) $this->ffi->ehr_host_error_free($error);
        throw new EhrException($status, $this->ffi->ehr_host_status_name($status), $message, $field, $reason);
    }

    /** An ehr_str over a copy of $text, kept alive until the call ends. */
    public function str(string $text): CData
    {
        $out = $this->ffi->new('ehr_str');
        $size = strlen($text);
        if ($size > 0) {
            $buffer = $this->ffi->new("char[$size]");
            FFI::memcpy($buffer, $text, $size);
            $this->keep[] = $buffer;
            $out->data = $this->ffi->cast('const char*', FFI::addr($buffer));
        }
        $out->size = $size;
        return $out;
    }

    public static function text(CData $str): string
    {
        return $str->size === 0 || FFI::isNull($str->data) ? '' : FFI::string($str->data, $str->size);
    }

    private function tagged(string $type, string $tag): CData
    {
        $value = $this->ffi->new($type);
        $value->struct_type = self::STRUCT[$tag];
        $value->struct_size = FFI::sizeof($value);
        return $value;
    }

    private function principal(int $kind, string $id): CData
    {
        $p = $this->tagged('ehr_principal', 'PRINCIPAL');
        $p->kind = $kind;
        $p->id = $this->str($id);
        return $p;
    }

    private function user(array $user): CData
    {
        $info = $this->tagged('ehr_user_info', 'USER_INFO');
        $info->id = $this->str($user['id']);
        $info->display_name = $this->str($user['display_name']);
        $info->active = ($user['active'] ?? true) ? 1 : 0;
        return $info;
    }

    private function portalUser(array $user): CData
    {
        $info = $this->tagged('ehr_portal_user_info', 'PORTAL_USER_INFO');
        $info->id = $this->str($user['id']);
        $info->display_name = $this->str($user['display_name']);
        $info->first_name = $this->str($user['first_name'] ?? '');
        $info->kind = $user['kind'] ?? 1;
        $info->active = ($user['active'] ?? true) ? 1 : 0;
        return $info;
    }

    private function organization(array $org): CData
    {
        $info = $this->tagged('ehr_organization_info', 'ORGANIZATION_INFO');
        foreach (['location_id', 'name', 'alias', 'address', 'phone', 'portal_url'] as $key) {
            $info->$key = $this->str($org[$key] ?? '');
        }
        $info->is_master = ($org['is_master'] ?? false) ? 1 : 0;
        return $info;
    }

    /** Sends each record through a C sink; STOP ends early, any other failure is returned. */
    private static function each(CData $sink, $ctx, array $records): int
    {
        foreach ($records as $record) {
            $status = $sink($ctx, FFI::addr($record));
            if ($status !== self::STATUS_OK) return $status === 11 ? self::STATUS_OK : $status;
        }
        return self::STATUS_OK;
    }

    /** Wraps a callback: an exception becomes EHR_STATUS_INTERNAL (nothing may unwind into C). */
    private static function guarded(callable $body): \Closure
    {
        return function (...$args) use ($body): int {
            try {
                return $body(...$args);
            } catch (\Throwable $error) {
                fwrite(STDERR, 'host services: ' . $error->getMessage() . "\n");
                return self::STATUS_INTERNAL;
            }
        };
    }

    private function servicesTable(): CData
    {
        $s = $this->services;
        $t = $this->tagged('ehr_host_services', 'HOST_SERVICES');
        $t->log = self::guarded(fn($host, $level, $message) => self::STATUS_OK);
        $t->now = self::guarded(function ($host, $out) {
            $out[0] = (int)(microtime(true) * 1000);
            return self::STATUS_OK;
        });
        $t->get_user = self::guarded(fn($host, $id, $ctx, $sink) => ($u = $s->getUser(self::text($id))) === null
            ? self::STATUS_NOT_FOUND : self::each($sink, $ctx, [$this->user($u)]));
        $t->user_has_role = self::guarded(function ($host, $user, $role, $out) use ($s) {
            $out[0] = $s->userHasRole(self::text($user), self::text($role));
            return self::STATUS_OK;
        });
        $t->list_users_with_role = self::guarded(fn($host, $role, $ctx, $sink) => self::each($sink, $ctx,
            array_map(fn($u) => $this->user($u), $s->listUsersWithRole(self::text($role)))));
        $t->get_patient = self::guarded(function ($host, $id, $ctx, $sink) use ($s) {
            $patient = $s->getPatient(self::text($id));
            if ($patient === null) return self::STATUS_NOT_FOUND;
            $info = $this->tagged('ehr_patient_info', 'PATIENT_INFO');
            $info->id = $this->str($patient['id']);
            $info->display_name = $this->str($patient['display_name']);
            $info->location_id = $this->str($patient['location_id'] ?? '');
            return self::each($sink, $ctx, [$info]);
        });
        $ids = function (CData $sink, $ctx, array $ids): int {
            foreach ($ids as $id) {
                $status = $sink($ctx, $this->str($id));
                if ($status !== self::STATUS_OK) return $status === 11 ? self::STATUS_OK : $status;
            }
            return self::STATUS_OK;
        };
        $t->list_care_team = self::guarded(fn($host, $patient, $ctx, $sink) => $ids($sink, $ctx,
            $s->listCareTeam(self::text($patient))));
        $t->get_portal_user = self::guarded(fn($host, $id, $ctx, $sink) =>
            ($u = $s->getPortalUser(self::text($id))) === null
                ? self::STATUS_NOT_FOUND : self::each($sink, $ctx, [$this->portalUser($u)]));
        $t->list_patient_contacts = self::guarded(fn($host, $patient, $ctx, $sink) => self::each($sink, $ctx,
            array_map(fn($u) => $this->portalUser($u), $s->listPatientContacts(self::text($patient)))));
        $t->list_contact_charts = self::guarded(fn($host, $user, $ctx, $sink) => $ids($sink, $ctx,
            $s->listContactCharts(self::text($user))));
        $t->get_company = self::guarded(fn($host, $ctx, $sink) => self::each($sink, $ctx,
            [$this->organization($s->getCompany())]));
        $t->list_locations = self::guarded(fn($host, $ctx, $sink) => self::each($sink, $ctx,
            array_map(fn($o) => $this->organization($o), $s->listLocations())));
        $t->notify = self::guarded(function ($host, $n) use ($s) {
            $s->notify(['recipient' => self::text($n->recipient->id), 'subject' => self::text($n->subject),
                'text' => self::text($n->text), 'brand_name' => self::text($n->brand_name)]);
            return self::STATUS_OK;
        });
        $t->audit = self::guarded(function ($host, $e) use ($s) {
            $s->audit(['sequence' => $e->sequence, 'action' => self::text($e->action),
                'actor' => self::text($e->actor->id), 'patient_id' => self::text($e->patient_id),
                'outcome' => self::text($e->outcome), 'hash' => self::text($e->hash)]);
            return self::STATUS_OK;
        });
        $this->persistent[] = $t;
        return $t;
    }
}
