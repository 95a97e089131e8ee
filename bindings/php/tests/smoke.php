<?php
// The PHP host's smoke scenario on the real plugin through libehr_host.so: enable the plugin,
// turn My Messages on, send, read as the portal user, audit verify, disable refuses, shutdown.
// Usage: php tests/smoke.php LIBEHR_HOST_SO PLUGINS_DIR DATA_DIR   Prints "N passed, N failed".
declare(strict_types=1);

require __DIR__ . '/../EhrHost.php';
require __DIR__ . '/practice.php';

use Ehr\EhrException;
use Ehr\Host;

[$self, $library, $plugins, $data] = $argv + [null, null, null, null];
if ($data === null) {
    fwrite(STDERR, "usage: php smoke.php LIBEHR_HOST_SO PLUGINS_DIR DATA_DIR\n");
    exit(2);
}

$passed = 0;
$failed = 0;
function check(bool $ok, string $what): void
{
    global $passed, $failed;
    if ($ok) {
        ++$passed;
        echo "ok: $what\n";
    } else {
        ++$failed;
        echo "FAILED: $what\n";
    }
}

/** Runs $call expecting an EhrException; returns it (or null when nothing was thrown). */
function refused(callable $call): ?EhrException
{
    try {
        $call();
    } catch (EhrException $e) {
        return $e;
    }
    return null;
}

const PLUGIN = 'portal-messaging';
const STAFF = 1;
const PORTAL = 2;

try {
    $practice = new Practice();
    $host = new Host($library, $plugins, $data, $practice, Practice::STAFF);
    $practice->roles = $host;
    $host->seedRoles([['admin', 'manage_users']]);

    $host->discover();
    check($host->state(PLUGIN) === 'disabled', 'a new plugin waits disabled for the admin');
    $host->enable(PLUGIN);
    check($host->state(PLUGIN) === 'enabled', 'the admin enables My Messages');
    $host->declarePluginRoles();
    $host->setRole('admin', 'admin', 'manage_portal_settings', true);
    $host->setRole('admin', 'drlee', 'available_for_portal_messages', true);

    $bad = refused(fn() => $host->saveSettings(PLUGIN, 'admin', ['my_messages' => 'maybe']));
    check($bad !== null && $bad->field === 'my_messages', 'R-SET-6: a bad value is refused naming its field');
    $host->saveSettings(PLUGIN, 'admin', ['my_messages' => 'on', 'audience' => 'care_team_only']);
    check(true, 'R-SET-2: My Messages turned on in General');

    $thread = $host->send('portal-messaging', 'drlee', 'p01', ['maria'], 'Your lab results',
        'Hi Maria, your lab results are normal.');
    check($thread > 0, 'Dr. Lee sends Maria a message');
    check($host->unread('portal-messaging', PORTAL, 'maria') === 1, 'R-CONV-2: Maria has one unread message');
    check($host->read('portal-messaging', PORTAL, 'maria', $thread) === ['Hi Maria, your lab results are normal.'],
        'Maria reads it through the portal');
    check($host->unread('portal-messaging', PORTAL, 'maria') === 0, 'and it is read');
    check(count($practice->notifications) === 1 && $practice->notifications[0]['brand_name'] === 'Riverbend Health'
        && !str_contains($practice->notifications[0]['text'], 'lab results are normal'),
        'R-BRAND-3, R-BRAND-4: one branded notification, without the message');

    $denied = refused(fn() => $host->send('portal-messaging', 'drpatel', 'p01', ['maria'], '', 'Hello'));
    check($denied !== null && $denied->reason === 'staff_lacks_role', 'R-MSG-5: a refusal says why');

    $audit = $host->auditVerify(PLUGIN);
    check($audit['ok'] && $audit['records_checked'] >= 3, 'R-AUD-1: the audit chain verifies');
    // verify then anchors the chain: one more record, the checkpoint it handed the host (R-SEC-3).
    check(count($practice->audit) === $audit['records_checked'] + 1
        && end($practice->audit)['action'] === 'audit.checkpoint',
        'every record was mirrored to the PHP host, the checkpoint verify took too');

    $host->disable(PLUGIN);
    $off = refused(fn() => $host->send('portal-messaging', 'drlee', 'p01', ['maria'], '', 'Still there?'));
    check($off !== null && $off->statusName === 'disabled', 'a disabled plugin refuses calls');
    $host->shutdown();
    check($host->state(PLUGIN) === 'shut_down', 'shutdown');
    $host->close();
} catch (Throwable $error) {
    check(false, 'unexpected ' . get_class($error) . ': ' . $error->getMessage());
}

echo "$passed passed, $failed failed\n";
exit($failed === 0 ? 0 : 1);
