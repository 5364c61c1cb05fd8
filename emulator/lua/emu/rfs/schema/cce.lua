-- Schemas of the huaweicloud provider's CCE resources (cluster, node, node
-- pool, add-on, namespace), written from the provider's docs/resources/cce_*.md
-- "Argument Reference" and "Attribute Reference"
-- (https://registry.terraform.io/providers/huaweicloud/huaweicloud/latest/docs).
-- Format: see emu.rfs.schema.

local tags = "o map(string)"

-- root/data volumes and storage of nodes and node pools
local root_volume = { "r list 1 1", a = { size = "r number", volumetype = "r string", extend_params = "o map(string)",
  kms_key_id = "o string", dss_pool_id = "o string", iops = "o number", throughput = "o number",
  hw_passthrough = "o bool" } }
local data_volumes = { "r list 1", a = { size = "r number", volumetype = "r string", extend_params = "o map(string)",
  kms_key_id = "o string", dss_pool_id = "o string", iops = "o number", throughput = "o number",
  hw_passthrough = "o bool" } }
local storage = { "o list 0 1", b = {
  selectors = { "r list 1", a = { name = "r string", type = "o string", match_label_size = "o string",
    match_label_volume_type = "o string", match_label_metadata_encrypted = "o string",
    match_label_metadata_cmkid = "o string", match_label_count = "o string" } },
  groups = { "r list 1", a = { name = "r string", cce_managed = "o bool", selector_names = "r list(string)" },
    b = { virtual_spaces = { "r list 1", a = { name = "r string", size = "r string", lvm_lv_type = "o string",
      lvm_path = "o string", runtime_lv_type = "o string" } } } },
} }
local taints = { "o list", a = { key = "r string", value = "o string", effect = "r string" } }
-- extend_params of nodes and node pools is a block (the provider's docs; older releases took a map)
local extend_params = { "o list 0 1", a = { max_pods = "o number", docker_base_size = "o number",
  preinstall = "o string", postinstall = "o string", node_image_id = "o string", node_multi_queue = "o string",
  nic_threshold = "o string", agency_name = "o string", kube_reserved_mem = "o number", system_reserved_mem = "o number",
  security_reinforcement_type = "o string", market_type = "o string", spot_price = "o string" } }
local hostname_config = { "o list 0 1", a = { type = "r string" } }

local node_common = {
  region = "oc string region", cluster_id = "r string", name = "oc string", flavor_id = "r string",
  availability_zone = "r string", os = "oc string", key_pair = "o string", password = "os string",
  subnet_id = "oc string", ecs_group_id = "o string", max_pods = "o number", preinstall = "o string",
  postinstall = "o string", runtime = "oc string", tags = tags, labels = "o map(string)",
  k8s_tags = "o map(string)", enterprise_project_id = "oc string", partition = "o string",
  status = "c string =Active",
}

local function node(extra, blocks)
  local a = {}
  for k, v in pairs(node_common) do a[k] = v end
  for k, v in pairs(extra) do a[k] = v end
  blocks.root_volume, blocks.storage, blocks.taints = root_volume, storage, taints
  blocks.extend_params, blocks.hostname_config = extend_params, hostname_config
  return { prepaid = true, a = a, b = blocks }
end

return {
  resources = {
    huaweicloud_cce_cluster = {
      prepaid = true,
      a = { region = "oc string region", name = "r string", flavor_id = "r string", cluster_version = "oc string =v1.28",
        cluster_type = "oc string =VirtualMachine", description = "o string", vpc_id = "r string", subnet_id = "r string",
        container_network_type = "r string", container_network_cidr = "oc string", eni_subnet_id = "oc string",
        eni_subnet_cidr = "c string", service_network_cidr = "oc string", authentication_mode = "oc string",
        authenticating_proxy_ca = "o string", authenticating_proxy_cert = "o string",
        authenticating_proxy_private_key = "o string", multi_az = "o bool", eip = "o string",
        kube_proxy_mode = "oc string", extend_param = "o map(string)", enterprise_project_id = "oc string",
        tags = tags, hibernate = "o bool", delete_efs = "o string", delete_eni = "o string", delete_evs = "o string",
        delete_net = "o string", delete_obs = "o string", delete_sfs = "o string", delete_all = "o string",
        security_group_id = "oc string", enable_distribute_management = "o bool", timezone = "oc string",
        ipv6_enable = "o bool", custom_san = "o list(string)", support_istio = "oc bool",
        lts_reclaim_policy = "o string", highway_subnet_id = "o string", billing_mode = "oc number",
        status = "c string =Available", kube_config_raw = "c string kubeconfig" },
      b = {
        certificate_clusters = { "c list", a = { name = "c string", server = "c string",
          certificate_authority_data = "c string" } },
        certificate_users = { "c list", a = { name = "c string", client_certificate_data = "c string",
          client_key_data = "c string" } },
        masters = { "o list 0 3", a = { availability_zone = "oc string az" } },
        component_configurations = { "o list", a = { name = "r string", configurations = "o string" } },
        encryption_config = { "o list 0 1", a = { mode = "r string", kms_key_id = "o string" } },
        extend_params = { "o list 0 1", a = { cpu_manager_policy = "o string", dss_master_volumes = "o string",
          fix_pool_mask = "o string", dec_master_flavor = "o string", docker_umask_mode = "o string" } },
      },
    },
    huaweicloud_cce_node = node({ private_ip = "c string ip", public_ip = "oc string public_ip", server_id = "c string uuid",
      eip_id = "o string", iptype = "o string", bandwidth_charge_mode = "o string", sharetype = "o string",
      bandwidth_size = "o number", fixed_ip = "o string", dedicated_host_id = "o string", initialized_conditions = "o list(string)",
      keep_ecs = "o bool", private_key = "os string", eip_ids = "o set(string)" },
      { data_volumes = { "o list", a = data_volumes.a }, extension_nics = { "o list", a = { subnet_id = "r string" } } }),
    huaweicloud_cce_node_pool = node({ name = "r string", availability_zone = "oc string az", subnet_list = "oc list(string)",
      initial_node_count = "r number", type = "oc string", priority = "oc number",
      min_node_count = "o number", max_node_count = "o number", scale_down_cooldown_time = "o number",
      scall_enable = "o bool", security_groups = "oc list(string)", pod_security_groups = "o list(string)",
      ignore_initial_node_count = "o bool", initialized_conditions = "o list(string)", label_policy_on_existing_nodes = "o string",
      tag_policy_on_existing_nodes = "o string", taint_policy_on_existing_nodes = "o string",
      current_node_count = "c number =1", billing_mode = "c number =0" },
      { data_volumes = data_volumes, extension_scale_groups = { "o list", open = true } }),

    huaweicloud_cce_addon = {
      a = { region = "oc string region", cluster_id = "r string", template_name = "r string", version = "oc string",
        status = "c string =running", description = "c string" },
      b = { values = { "o list 0 1", a = { basic_json = "oc string json", custom_json = "oc string json",
        flavor_json = "oc string json", basic = "o map(string)", custom = "o map(string)", flavor = "o map(string)" } } },
    },
    huaweicloud_cce_namespace = { a = {
      region = "oc string region", cluster_id = "r string", name = "oc string", prefix = "o string",
      labels = "o map(string)", annotations = "o map(string)", creation_timestamp = "c string", status = "c string =Active",
    } },
  },
}
