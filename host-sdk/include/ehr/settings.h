/* ehr/settings.h: settings pages a plugin registers (e.g. Portal settings: General and per
 * Location). The plugin implements the table; the host renders what it describes and submits
 * what the admin typed. Pages, validation and defaults come from the plugin's settings schema.
 *
 * A page's scope is a location id; the empty string means the General page. Values travel as
 * text exactly as a person writes them ("on", "off", "care_team_only", ...); the plugin validates
 * them against its schema. THREADING: any function may be called concurrently. */
#ifndef EHR_SETTINGS_H
#define EHR_SETTINGS_H

#include "ehr/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ehr_settings ehr_settings; /* opaque, owned by the plugin until on_shutdown */

typedef uint32_t ehr_field_type;
enum {
  EHR_FIELD_BOOL = 1,
  EHR_FIELD_CHOICE = 2,
  EHR_FIELD_STRING = 3,
  EHR_FIELD_INT = 4,
  EHR_FIELD_TEXT = 5
};

typedef struct ehr_choice {
  uint32_t struct_type; /* EHR_STRUCT_CHOICE */
  uint32_t struct_size;
  ehr_str value; /* what is stored and submitted, e.g. "care_team_only" */
  ehr_str label; /* what a person sees, e.g. "Care Team only" */
} ehr_choice;

typedef struct ehr_page_info {
  uint32_t struct_type; /* EHR_STRUCT_PAGE_INFO */
  uint32_t struct_size;
  ehr_str page_id;          /* e.g. "portal" */
  ehr_str title;            /* e.g. "Portal Settings: General" */
  ehr_str location_id;      /* empty for General */
  ehr_str required_role;    /* the role needed to open and save this page */
  uint32_t follows_general; /* location pages: 1 while the location has no settings of its own */
  uint32_t field_count;
} ehr_page_info;

typedef struct ehr_field_info {
  uint32_t struct_type; /* EHR_STRUCT_FIELD_INFO */
  uint32_t struct_size;
  ehr_str section_id;
  ehr_str section_title;
  ehr_str key;
  ehr_str label;
  ehr_str help;
  ehr_field_type type;
  uint32_t choice_count;
  const ehr_choice* choices; /* choice_count entries */
  ehr_str default_value;
  ehr_str value;     /* current value on this page (the effective one when following General) */
  int64_t min_value; /* EHR_FIELD_INT: inclusive bounds; STRING/TEXT: length bounds */
  int64_t max_value;
} ehr_field_info;

/* Receives a page: on_page once, then on_field for each field in display order. */
typedef struct ehr_page_sink {
  uint32_t struct_type; /* EHR_STRUCT_PAGE_SINK */
  uint32_t struct_size;
  ehr_status (*on_page)(void* sink_ctx, const ehr_page_info* page);
  ehr_status (*on_field)(void* sink_ctx, const ehr_field_info* field);
} ehr_page_sink;

typedef struct ehr_setting_value {
  uint32_t struct_type; /* EHR_STRUCT_SETTING_VALUE */
  uint32_t struct_size;
  ehr_str key;
  ehr_str value;
} ehr_setting_value;

typedef struct ehr_effective_setting {
  uint32_t struct_type; /* EHR_STRUCT_EFFECTIVE_SETTING */
  uint32_t struct_size;
  ehr_str key;
  ehr_str value;
  ehr_str source_location_id; /* empty when the value comes from General or the schema default */
  uint32_t from_default;      /* 1 when nobody has saved this value yet */
  uint32_t reserved;
} ehr_effective_setting;

typedef ehr_status (*ehr_effective_sink_fn)(void* sink_ctx, const ehr_effective_setting* setting);

typedef struct ehr_settings_api {
  uint32_t struct_type; /* EHR_STRUCT_SETTINGS_API */
  uint32_t struct_size;
  /* Required. Describes the page as `actor_user_id` may see it; EHR_STATUS_FORBIDDEN without
   * the page's required role. */
  ehr_status (*describe_page)(ehr_settings* settings, ehr_str actor_user_id, ehr_str location_id,
                              void* sink_ctx, const ehr_page_sink* sink, ehr_error** out_error);
  /* Required. Saves the submitted fields of one page atomically: all are validated first, and
   * on any error nothing is saved and the error names the field. On a location page, fields not
   * submitted keep their effective value. Each change is audited. */
  ehr_status (*save_page)(ehr_settings* settings, ehr_str actor_user_id, ehr_str location_id,
                          const ehr_setting_value* values, size_t value_count, ehr_error** out_error);
  /* Required. Drops a location's own settings so that it follows General again. */
  ehr_status (*reset_location)(ehr_settings* settings, ehr_str actor_user_id, ehr_str location_id,
                               ehr_error** out_error);
  /* Required. The effective settings of a location (empty: General) and where each comes from.
   * Answers no more than a host's own diagnostics need: no actor, no audit record. */
  ehr_status (*effective)(ehr_settings* settings, ehr_str location_id, void* sink_ctx,
                          ehr_effective_sink_fn sink, ehr_error** out_error);
} ehr_settings_api;

#ifdef __cplusplus
}
#endif

#endif /* EHR_SETTINGS_H */
