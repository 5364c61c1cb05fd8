-- Schemas of the huaweicloud provider's storage and backup resources (OBS
-- bucket, object, policy; SFS Turbo; CBR vault and policy), written from the
-- provider's docs/resources/*.md "Argument Reference" and "Attribute
-- Reference" (https://registry.terraform.io/providers/huaweicloud/huaweicloud/latest/docs).
-- Format: see emu.rfs.schema.

local tags = "o map(string)"
local ep = "oc string"

return {
  resources = {
    huaweicloud_obs_bucket = {
      a = { region = "oc string region", bucket = "r string", storage_class = "oc string", acl = "o string",
        policy = "oc string json", policy_format = "o string", versioning = "o bool", encryption = "o bool",
        sse_algorithm = "oc string", kms_key_id = "oc string", kms_key_project_id = "oc string",
        force_destroy = "o bool", multi_az = "oc bool", parallel_fs = "o bool", enterprise_project_id = ep,
        tags = tags, quota = "o number", user_domain_names = "o set(string)", bucket_version = "c string =3.0",
        bucket_domain_name = "c string", bucket_endpoint = "c string" },
      b = {
        logging = { "o set", a = { target_bucket = "r string", target_prefix = "o string", agency = "o string" } },
        website = { "o list 0 1", a = { index_document = "o string", error_document = "o string",
          redirect_all_requests_to = "o string", routing_rules = "o string" } },
        cors_rule = { "o list", a = { allowed_origins = "r list(string)", allowed_methods = "r list(string)",
          allowed_headers = "o list(string)", expose_headers = "o list(string)", max_age_seconds = "o number" } },
        lifecycle_rule = { "o list", a = { name = "r string", enabled = "r bool", prefix = "o string" },
          b = {
            expiration = { "o set", a = { days = "r number" } },
            transition = { "o list", a = { days = "r number", storage_class = "r string" } },
            noncurrent_version_expiration = { "o set", a = { days = "r number" } },
            noncurrent_version_transition = { "o list", a = { days = "r number", storage_class = "r string" } },
            abort_incomplete_multipart_upload = { "o list", a = { days = "r number" } },
          } },
      },
    },
    huaweicloud_obs_bucket_object = { a = {
      region = "oc string region", bucket = "r string", key = "r string", source = "o string", content = "o string",
      storage_class = "oc string", acl = "o string", content_type = "oc string", encryption = "o bool",
      sse_kms_key_id = "oc string", etag = "oc string", cache_control = "o string", expires = "o string",
      metadata = "o map(string)", kms_key_id = "oc string", tags = tags, size = "c number =0", version_id = "c string",
    } },
    huaweicloud_obs_bucket_policy = { a = {
      region = "oc string region", bucket = "r string", policy = "r string", policy_format = "o string",
    } },
    huaweicloud_obs_bucket_acl = { a = {
      region = "oc string region", bucket = "r string",
    }, b = {
      owner_permission = { "o list 0 1", a = { access_to_bucket = "o list(string)", access_to_acl = "o list(string)" } },
      public_permission = { "o list 0 1", a = { access_to_bucket = "o list(string)", access_to_acl = "o list(string)" } },
      log_delivery_user_permission = { "o list 0 1", a = { access_to_bucket = "o list(string)", access_to_acl = "o list(string)" } },
      account_permission = { "o set", a = { account_id = "r string", access_to_bucket = "o list(string)",
        access_to_acl = "o list(string)" } },
    } },
    huaweicloud_sfs_turbo = {
      prepaid = true,
      a = { region = "oc string region", name = "r string", size = "r number", share_proto = "o string",
        share_type = "oc string", availability_zone = "r string", vpc_id = "r string", subnet_id = "r string",
        security_group_id = "r string", crypt_key_id = "o string", enhanced = "oc bool", dedicated_flavor = "o string",
        dedicated_storage_id = "o string", hpc_bandwidth = "oc string", hpc_cache_bandwidth = "oc string",
        backup_id = "o string", enterprise_project_id = ep, tags = tags, export_location = "c string", version = "c string",

        status = "c string =200", available_capacity = "c string", created_at = "c string" },
    },
    huaweicloud_cbr_vault = {
      prepaid = true,
      a = { region = "oc string region", name = "r string", type = "r string", protection_type = "r string",
        size = "r number", consistent_level = "oc string", auto_bind = "o bool", bind_rules = "o map(string)",
        auto_expand = "o bool", enterprise_project_id = ep, policy_id = "o string", backup_name_prefix = "o string",
        is_multi_az = "oc bool", locked = "o bool", tags = tags, allocated = "c number", used = "c number",
        spec_code = "c string", status = "c string =available", storage = "c string" },
      b = {
        resources = { "o list", a = { server_id = "o string", excludes = "o set(string)", includes = "o set(string)" } },
        policy = { "o set", a = { id = "r string", destination_vault_id = "o string" } },
      },
    },
    huaweicloud_cbr_policy = {
      a = { region = "oc string region", name = "r string", type = "r string", enabled = "o bool",
        destination_region = "o string", destination_project_id = "o string", enable_acceleration = "o bool",
        backup_quantity = "o number", time_period = "o number", time_zone = "oc string",
        full_backup_interval = "oc number" },
      b = {
        backup_cycle = { "r list 1 1", a = { days = "o string", interval = "o number", execution_times = "r list(string)" } },
        long_term_retention = { "o list 0 1", a = { daily = "o number", weekly = "o number", monthly = "o number",
          yearly = "o number", full_backup_interval = "o number" } },
      },
    },
  },
}
