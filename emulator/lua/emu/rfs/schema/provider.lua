-- Schema of the huaweicloud provider block itself, written from the
-- provider's docs/index.md "Configuration Reference" (plus the older
-- authentication arguments the provider still accepts). Format: see emu.rfs.schema.

return {
  provider = {
    huaweicloud = {
      a = { region = "o string", access_key = "o string", secret_key = "os string", security_token = "os string",
        shared_config_file = "o string", profile = "o string", project_name = "o string", project_id = "o string",
        domain_name = "o string", domain_id = "o string", cloud = "o string", auth_url = "o string", insecure = "o bool",
        max_retries = "o number", enterprise_project_id = "o string", signing_algorithm = "o string", regional = "o bool",
        skip_check_website_type = "o bool", skip_check_upgrade = "o bool", endpoints = "o map(string)",
        user_name = "o string", user_id = "o string", password = "os string", token = "os string",
        tenant_name = "o string", tenant_id = "o string", agency_name = "o string", agency_domain_name = "o string",
        delegated_project = "o string", cacert_file = "o string", cert = "o string", key = "o string",
        enable_force_new = "o bool" },
      b = { assume_role = { "o list 0 1", a = { agency_name = "r string", domain_name = "r string", domain_id = "o string",
        duration = "o number" } } },
    },
  },
}
