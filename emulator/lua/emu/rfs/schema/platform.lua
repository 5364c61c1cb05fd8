-- Schemas of the huaweicloud provider's platform resources (FunctionGraph,
-- APIG, KMS, IAM, LTS, SMN, Cloud Eye, WAF, enterprise projects), written
-- from the provider's docs/resources/*.md "Argument Reference" and
-- "Attribute Reference" (https://registry.terraform.io/providers/huaweicloud/huaweicloud/latest/docs).
-- Format: see emu.rfs.schema.

local tags = "o map(string)"
local ep = "oc string"

return {
  resources = {
    huaweicloud_fgs_function = {
      a = { region = "oc string region", name = "r string", memory_size = "r number", runtime = "r string",
        timeout = "r number", app = "oc string", package = "oc string", functiongraph_version = "oc string",
        code_type = "oc string", handler = "oc string", func_code = "o string", code_url = "o string",
        code_filename = "o string", depend_list = "o set(string)", user_data = "o string",
        encrypted_user_data = "o string", agency = "o string", app_agency = "o string", description = "o string",
        initializer_handler = "o string", initializer_timeout = "o number", enterprise_project_id = ep,
        vpc_id = "o string", network_id = "o string", dns_list = "o string", mount_user_id = "o number",
        mount_user_group_id = "o number", max_instance_num = "oc string", tags = tags, log_group_id = "oc string",
        log_stream_id = "oc string", log_group_name = "oc string", log_stream_name = "oc string",
        concurrency_num = "oc number", gpu_memory = "o number", gpu_type = "o string",
        ephemeral_storage = "oc number", heartbeat_handler = "o string", restore_hook_handler = "o string",
        restore_hook_timeout = "o number", enable_dynamic_memory = "o bool", is_stateful_function = "o bool",
        enable_auth_in_header = "o bool", enable_class_isolation = "o bool", enable_lts_log = "oc bool",
        domain_id = "c string uuid", urn = "c string urn", version = "c string =latest" },
      b = {
        func_mounts = { "o list", a = { mount_type = "r string", mount_resource = "r string",
          mount_share_path = "r string", local_mount_path = "r string", status = "c string" } },
        custom_image = { "o list 0 1", a = { url = "r string", command = "o string", args = "o string",
          working_dir = "oc string", user_id = "o string", user_group_id = "o string" } },
        versions = { "o set", a = { name = "r string", description = "o string" },
          b = { aliases = { "o list 0 1", a = { name = "r string", description = "o string" } } } },
        reserved_instances = { "o list", a = { qualifier_type = "r string", qualifier_name = "r string", count = "r number",
          idle_mode = "o bool" }, b = { tactics_config = { "o list 0 1", open = true } } },
      },
    },
    huaweicloud_fgs_trigger = {
      a = { region = "oc string region", function_urn = "r string", type = "r string", status = "oc string",
        event_data = "oc string json", cascade_delete_eg_subscription = "o bool" },
      b = {
        timer = { "o list 0 1", a = { name = "r string", schedule_type = "r string", schedule = "r string",
          additional_information = "o string" } },
        obs = { "o list 0 1", a = { bucket_name = "r string", event_notification_name = "r string",
          events = "r set(string)", prefix = "o string", suffix = "o string" } },
        smn = { "o list 0 1", a = { topic_urn = "r string" } },
        dis = { "o list 0 1", a = { stream_name = "r string", starting_position = "r string",
          max_fetch_bytes = "r number", pull_period = "r number", serial_enable = "r bool" } },
        lts = { "o list 0 1", a = { log_group_id = "r string", log_topic_id = "r string" } },
        kafka = { "o list 0 1", a = { instance_id = "r string", topic_ids = "r set(string)", batch_size = "o number" } },
        apig = { "o list 0 1", a = { group_id = "r string", api_name = "r string", env_name = "r string",
          security_authentication = "o string", request_protocol = "o string", timeout = "o number" } },
      },
    },
    huaweicloud_fgs_function_trigger = { a = {
      region = "oc string region", function_urn = "r string", type = "r string", event_data = "r string json",
      status = "oc string", created_at = "c string", updated_at = "c string",
    } },
    huaweicloud_fgs_dependency_version = { a = {
      region = "oc string region", name = "r string", runtime = "r string", link = "r string",
      description = "o string", version = "c number =1", version_id = "c string uuid", owner = "c string",
      etag = "c string", size = "c number", dependency_id = "c string uuid",
    } },
    huaweicloud_apig_instance = {
      a = { region = "oc string region", name = "r string", edition = "r string", vpc_id = "r string",
        subnet_id = "r string", security_group_id = "r string", availability_zones = "oc list(string)",
        available_zones = "oc list(string)", create_time = "c string",
        description = "o string", enterprise_project_id = ep, maintain_begin = "oc string", bandwidth_size = "o number",
        eip_id = "o string", ipv6_enable = "o bool", loadbalancer_provider = "oc string", tags = tags,
        vpcep_service_name = "oc string", status = "c string =Running", maintain_end = "c string",
        vpc_ingress_address = "c string ip", egress_address = "c string", ingress_address = "c string public_ip",
        supported_features = "c list(string)", created_at = "c string" },
    },
    huaweicloud_apig_group = {
      a = { region = "oc string region", instance_id = "r string", name = "r string", description = "o string",
        domain_access_enabled = "oc bool", registration_time = "c string", updated_at = "c string" },
      b = {
        environment = { "o set", a = { environment_id = "r string" },
          b = { variable = { "r set 1", a = { name = "r string", value = "r string", id = "c string uuid" } } } },
        url_domains = { "o set", a = { name = "r string", min_ssl_version = "oc string",
          is_http_redirect_to_https = "o bool" } },
      },
    },
    huaweicloud_kms_key = { a = {
      region = "oc string region", key_alias = "r string", key_description = "o string", key_algorithm = "oc string",
      key_usage = "oc string", origin = "oc string", pending_days = "o string", is_enabled = "o bool",
      rotation_enabled = "o bool", rotation_interval = "oc number", enterprise_project_id = ep, tags = tags,
      keystore_id = "oc string", domain_id = "c string uuid", key_state = "c string =2", creation_date = "c string",
      scheduled_deletion_date = "c string", rotation_number = "c number =0", key_id = "c string uuid",
      default_key_flag = "c string =0", expiration_time = "c string",
    } },
    huaweicloud_identity_agency = {
      a = { name = "r string", description = "o string", delegated_domain_name = "o string",
        delegated_service_name = "o string", duration = "o string", domain_roles = "o set(string)",
        all_resources_roles = "o set(string)", expired_at = "c string", expire_time = "c string",
        create_time = "c string" },
      b = { project_role = { "o set", a = { project = "r string", roles = "r set(string)" } },
        enterprise_project_roles = { "o set", a = { enterprise_project = "r string", roles = "r set(string)" } } },
    },
    huaweicloud_identity_user = { a = {
      name = "r string", description = "o string", email = "o string", phone = "o string", country_code = "o string",
      password = "os string", pwd_reset = "o bool", enabled = "o bool", access_type = "oc string",
      external_identity_id = "o string", external_identity_type = "o string", login_protect_verification_method = "o string",
      password_strength = "c string", create_time = "c string", last_login = "c string",
    } },
    huaweicloud_identity_group = { a = { name = "r string", description = "o string", domain_id = "c string" } },
    huaweicloud_identity_group_membership = { a = { group = "r string", users = "r set(string)" } },
    huaweicloud_identity_role = { a = {
      name = "r string", description = "r string", type = "r string", policy = "r string json",
      references = "c number =0",
    } },
    huaweicloud_identity_role_assignment = { a = {
      role_id = "r string", group_id = "o string", user_id = "o string", agency_id = "o string", domain_id = "o string",
      project_id = "o string", enterprise_project_id = "o string",
    } },
    huaweicloud_lts_group = { a = {
      region = "oc string region", group_name = "r string", ttl_in_days = "r number", tags = tags,
      enterprise_project_id = ep, created_at = "c string",
    } },
    huaweicloud_lts_stream = { a = {
      region = "oc string region", group_id = "r string", stream_name = "r string", ttl_in_days = "oc number",
      tags = tags, enterprise_project_id = ep, is_favorite = "o bool", filter_count = "c number =0",
      created_at = "c string",
    } },
    huaweicloud_smn_topic = { a = {
      region = "oc string region", name = "r string", display_name = "o string", users_publish_allowed = "oc string",
      services_publish_allowed = "oc string", introduction = "o string", enterprise_project_id = ep, tags = tags,
      topic_urn = "c string urn", push_policy = "c number =0", create_time = "c string", update_time = "c string",
    } },
    huaweicloud_smn_subscription = { a = {
      region = "oc string region", topic_urn = "r string", endpoint = "r string", protocol = "r string",
      remark = "o string", subscription_urn = "c string urn", owner = "c string",
      status = "c number =1",
    } },
    huaweicloud_ces_alarmrule = {
      a = { region = "oc string region", alarm_name = "r string", alarm_description = "o string",
        alarm_enabled = "o bool", alarm_action_enabled = "o bool", alarm_level = "o number", alarm_type = "oc string",
        namespace = "oc string", enterprise_project_id = ep, notification_begin_time = "oc string",
        notification_end_time = "oc string", effective_timezone = "oc string", tags = tags,
        resource_group_id = "o string", alarm_template_id = "o string",
        alarm_state = "c string =ok", update_time = "c string" },
      b = {
        metric = { "o list 0 1", a = { namespace = "r string", metric_name = "o string" },
          b = { dimensions = { "o list", a = { name = "r string", value = "o string" } } } },
        resources = { "o set", b = { dimensions = { "o list", a = { name = "r string", value = "o string" } } } },
        condition = { "o set", a = { period = "r number", filter = "r string", comparison_operator = "r string",
          value = "r number", count = "r number", unit = "o string", suppress_duration = "o number",
          alarm_level = "oc number", metric_name = "o string" } },
        alarm_actions = { "o list", a = { type = "r string", notification_list = "r list(string)" } },
        ok_actions = { "o list", a = { type = "r string", notification_list = "r list(string)" } },
      },
    },
    huaweicloud_waf_dedicated_instance = {
      a = { region = "oc string region", name = "r string", specification_code = "r string", flavor = "oc string",
        ecs_flavor = "oc string",
        available_zone = "r string", cpu_architecture = "o string", vpc_id = "r string", subnet_id = "r string",
        security_group = "r list(string)", group_id = "o string", enterprise_project_id = ep, tags = tags,
        res_tenant = "o bool", anti_affinity = "o bool", server_id = "c string uuid", service_ip = "c string ip",
        run_status = "c number =1", access_status = "c number =1", upgradable = "c number =0" },
    },
    huaweicloud_waf_policy = {
      a = { region = "oc string region", name = "r string", protection_mode = "oc string", robot_action = "oc string",
        level = "oc number", full_detection = "oc bool", enterprise_project_id = ep, deep_inspection = "oc bool",
        header_inspection = "oc bool", shiro_decryption_check = "oc bool", description = "o string" },
      b = { options = { "c list", a = { basic_web_protection = "c bool =true", general_check = "c bool =true",
        crawler = "c bool =true", crawler_engine = "c bool =false", crawler_scanner = "c bool =true",
        crawler_script = "c bool =false", crawler_other = "c bool =false", webshell = "c bool =false",
        cc_attack_protection = "c bool =false", precise_protection = "c bool =false", blacklist = "c bool =false",
        data_masking = "c bool =false", false_alarm_masking = "c bool =false", web_tamper_protection = "c bool =false" } } },
    },

    huaweicloud_enterprise_project = { a = {
      name = "oc string", description = "o string", type = "oc string", enable = "o bool", skip_disable_on_destroy = "o bool",

      delete_flag = "o bool", status = "c number =1", created_at = "c string", updated_at = "c string",
    } },
  },
}
