// Each scenario file registers its Google Benchmark functions; main() calls these in order.
#pragma once

namespace ehr::bench {

class Environment;

// Names are "S<n>/<area>/<what>" (on PostgreSQL "PG/S<n>/..."); results.cpp looks the figures up
// by these names.
void register_send_benchmarks(const Environment& environment);         // scenarios 1 and 2
void register_inbox_benchmarks(const Environment& environment);        // scenarios 3 and 4
void register_eligibility_benchmarks(const Environment& environment);  // scenario 5
void register_load_benchmarks(const Environment& environment);         // scenario 6
void register_roles_benchmarks(const Environment& environment);        // scenario 7
void register_memory_benchmarks(const Environment& environment);       // scenario 8
void register_tenants_benchmarks(const Environment& environment);      // scenario 9
// Scenarios 1-4 and 7 on PostgreSQL, and host processes sharing it (needs set_pg_environment).
void register_postgresql_benchmarks(const Environment& environment);

// Child-process entry points (a fresh process per measurement); return the exit code.
int load_child_main(int argc, char** argv);
int memory_child_main(int argc, char** argv);
int tenants_child_main(int argc, char** argv);
int pg_host_child_main(int argc, char** argv);

}  // namespace ehr::bench
