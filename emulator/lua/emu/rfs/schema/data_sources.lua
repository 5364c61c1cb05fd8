-- Schemas of the huaweicloud provider's most used data sources
-- (availability zones, flavors of ECS/RDS/DCS/ELB, images, VPCs, subnets,
-- ports, security groups and rules, RDS engine versions, enterprise
-- projects, CCE clusters and add-on templates, FunctionGraph dependencies,
-- CBR vaults, ECS instances, KMS keys, IAM projects), written from the
-- provider's docs/data-sources/*.md "Argument Reference" and "Attribute
-- Reference" (https://registry.terraform.io/providers/huaweicloud/huaweicloud/latest/docs).
-- Arguments are optional filters; results are computed. Format: see emu.rfs.schema.

local region = "oc string region"
local ep = "o string"

-- blocks an ECS instance and a CCE cluster show the same way in several data sources
local ecs_network = { "c list", a = { uuid = "c string uuid", port = "c string uuid", mac = "c string mac",
  fixed_ip_v4 = "c string ip", fixed_ip_v6 = "c string" } }
local ecs_volumes = { "c list", a = { volume_id = "c string uuid", is_sys_volume = "c bool =true",
  size = "c number =40", type = "c string =GPSSD", boot_index = "c number =0", pci_address = "c string" } }
local ecs_hints = { "c list", a = { group = "c string uuid" } }
local cce_masters = { "c list", a = { availability_zone = "c string az" } }
local cce_cert_clusters = { "c list", a = { name = "c string", server = "c string", certificate_authority_data = "c string" } }
local cce_cert_users = { "c list", a = { name = "c string", client_certificate_data = "c string",
  client_key_data = "c string" } }

return {
  data_sources = {
    huaweicloud_availability_zones = { a = {
      region = region, state = "o string", names = "c list(string) az",
    } },
    huaweicloud_compute_flavors = {
      a = { region = region, availability_zone = "o string", performance_type = "o string", generation = "o string",
        cpu_core_count = "o number", memory_size = "o number", ids = "c list(string) flavor" },
      b = { flavors = { "c list", a = { id = "c string flavor", performance_type = "c string =normal",
        generation = "c string =s6", cpu_core_count = "c number =2", memory_size = "c number =4",
        availability_zones = "c list(string) az" } } },
    },
    huaweicloud_images_image = { a = {
      region = region, name = "oc string", name_regex = "o string", visibility = "oc string", owner = "o string",
      architecture = "oc string", os = "oc string", os_version = "oc string", flavor_id = "o string",
      image_type = "oc string", most_recent = "o bool", size_min = "o string", size_max = "o string",
      tag = "o string", sort_key = "o string", sort_direction = "o string", enterprise_project_id = ep,
      status = "c string =active", protected = "c bool", container_format = "c string =bare",
      disk_format = "c string =zvhd2", file = "c string", schema = "c string", checksum = "c string",
      min_disk_gb = "c number =40", min_ram_mb = "c number =0", size_bytes = "c number =0",
      created_at = "c string", updated_at = "c string", backup_id = "c string", description = "c string",
      metadata = "c map(string)",
    } },
    huaweicloud_images_images = {
      a = { region = region, name = "o string", name_regex = "o string", visibility = "o string", owner = "o string",
        architecture = "o string", os = "o string", os_version = "o string", flavor_id = "o string",
        image_type = "o string", image_id = "o string", tag = "o string", enterprise_project_id = ep,
        sort_key = "o string", sort_direction = "o string" },
      b = { images = { "c list", a = { id = "c string uuid", name = "c string", visibility = "c string =public",
        os = "c string =Ubuntu", os_version = "c string =Ubuntu 22.04 server 64bit", architecture = "c string =x86",
        image_type = "c string =gold", status = "c string =active", disk_format = "c string =zvhd2",
        min_disk_gb = "c number =40", min_ram_mb = "c number =0", size_bytes = "c number =0",
        protected = "c bool", created_at = "c string", updated_at = "c string", description = "c string",
        checksum = "c string", container_format = "c string =bare", owner = "c string", enterprise_project_id = "c string =0" } } },

    },
    huaweicloud_vpc = { a = {
      region = region, id = "oc string", name = "oc string", cidr = "oc string", status = "oc string",
      enterprise_project_id = "oc string", description = "c string", secondary_cidrs = "c list(string)",
      tags = "c map(string)",
    } },
    huaweicloud_vpcs = {
      a = { region = region, id = "o string", name = "o string", cidr = "o string", status = "o string",
        enterprise_project_id = ep, tags = "o map(string)" },
      b = { vpcs = { "c list", a = { id = "c string uuid", name = "c string", cidr = "c string =192.168.0.0/16",
        status = "c string =OK", enterprise_project_id = "c string =0", description = "c string",
        tags = "c map(string)", secondary_cidrs = "c list(string)" } } },
    },
    huaweicloud_vpc_subnet = { a = {
      region = region, id = "oc string", name = "oc string", cidr = "oc string", vpc_id = "oc string",
      gateway_ip = "oc string", status = "oc string", availability_zone = "oc string", primary_dns = "oc string",
      secondary_dns = "oc string", dns_list = "c list(string)", dhcp_enable = "c bool =true",
      subnet_id = "c string uuid", ipv4_subnet_id = "c string uuid", ipv6_enable = "c bool", ipv6_subnet_id = "c string", ipv6_cidr = "c string",
      ipv6_gateway = "c string", description = "c string", tags = "c map(string)",
    } },
    huaweicloud_vpc_subnets = {
      a = { region = region, id = "o string", name = "o string", cidr = "o string", vpc_id = "o string",
        gateway_ip = "o string", status = "o string", availability_zone = "o string", primary_dns = "o string",
        secondary_dns = "o string", tags = "o map(string)" },
      b = { subnets = { "c list", a = { id = "c string uuid", name = "c string", cidr = "c string =192.168.0.0/24",
        vpc_id = "c string uuid", gateway_ip = "c string =192.168.0.1", status = "c string =ACTIVE",
        availability_zone = "c string az", subnet_id = "c string uuid", ipv4_subnet_id = "c string uuid",
        primary_dns = "c string",

        secondary_dns = "c string", dhcp_enable = "c bool =true", description = "c string", tags = "c map(string)",
        ipv6_enable = "c bool", ipv6_subnet_id = "c string", ipv6_cidr = "c string", ipv6_gateway = "c string",
        dns_list = "c list(string)" } } },
    },
    huaweicloud_networking_port = { a = {
      region = region, port_id = "oc string", network_id = "oc string", fixed_ip = "oc string ip",
      mac_address = "oc string mac", status = "oc string", security_group_ids = "o set(string)",
      name = "c string", admin_state_up = "c bool =true", all_fixed_ips = "c list(string) ip",
      all_security_group_ids = "c list(string)", all_allowed_ips = "c list(string)", device_id = "c string",
      device_owner = "c string",
    } },
    huaweicloud_networking_secgroup = {
      a = { region = region, secgroup_id = "oc string", name = "oc string", enterprise_project_id = "oc string",
        description = "c string", created_at = "c string", updated_at = "c string" },
      b = { rules = { "c list", a = { id = "c string uuid", description = "c string", direction = "c string =ingress",
        ethertype = "c string =IPv4", protocol = "c string =tcp", ports = "c string =22", remote_ip_prefix = "c string =0.0.0.0/0",
        remote_group_id = "c string", remote_address_group_id = "c string", action = "c string =allow",
        priority = "c number =1" } } },
    },
    huaweicloud_networking_secgroups = {
      a = { region = region, id = "o string", name = "o string", description = "o string", enterprise_project_id = ep },
      b = { security_groups = { "c list", a = { id = "c string uuid", name = "c string", description = "c string",
        enterprise_project_id = "c string =0", created_at = "c string", updated_at = "c string" } } },
    },
    huaweicloud_networking_secgroup_rules = {
      a = { region = region, security_group_id = "r string", rule_id = "o string", protocol = "o string",
        direction = "o string", ethertype = "o string", description = "o string", remote_ip_prefix = "o string",
        remote_group_id = "o string", action = "o string", priority = "o string", port = "o string" },
      b = { rules = { "c list", a = { id = "c string uuid", security_group_id = "c string uuid", description = "c string",
        direction = "c string =ingress", ethertype = "c string =IPv4", protocol = "c string =tcp", ports = "c string =22",
        remote_ip_prefix = "c string =0.0.0.0/0", remote_group_id = "c string", remote_address_group_id = "c string",
        action = "c string =allow", priority = "c number =1", created_at = "c string", updated_at = "c string" } } },
    },
    huaweicloud_rds_flavors = {
      a = { region = region, db_type = "r string", db_version = "o string", instance_mode = "o string",
        availability_zone = "o string", group_type = "o string", vcpus = "o number", memory = "o number",
        is_flexus = "o bool" },
      b = { flavors = { "c list", a = { id = "c string uuid", name = "c string rds_flavor", vcpus = "c number =2",
        memory = "c number =4", group_type = "c string =general", instance_mode = "c string =single",
        mode = "c string =single", availability_zones = "c list(string) az", db_versions = "c list(string) =8.0" } } },
    },
    huaweicloud_rds_engine_versions = {
      a = { region = region, type = "o string" },
      b = { versions = { "c list", a = { id = "c string uuid", name = "c string =8.0,5.7,5.6" } } },
    },
    huaweicloud_dcs_flavors = {
      a = { region = region, capacity = "o number", engine = "o string", engine_version = "o string",
        cache_mode = "o string", name = "o string", cpu_architecture = "o string" },
      b = { flavors = { "c list", a = { name = "c string dcs_flavor", engine = "c string =Redis",
        engine_versions = "c string =5.0;6.0", cpu_architecture = "c string =x86_64", capacity = "c number =4",
        available_zones = "c list(string) az", ip_count = "c number =1", cache_mode = "c string =ha",
        charging_modes = "c list(string) =Hourly,Monthly,Yearly" } } },
    },
    huaweicloud_elb_flavors = {
      a = { region = region, type = "o string", name = "o string", flavor_id = "o string",
        shared = "o bool", public_border_group = "o string", max_connections = "o number", cps = "o number",
        qps = "o number", bandwidth = "o number", category = "o string", list_all = "o string",
        ids = "c list(string) uuid" },
      b = { flavors = { "c list", a = { id = "c string uuid", name = "c string =L4_flavor.elb.s1.small",
        type = "c string =L4", shared = "c bool", max_connections = "c number =500000", cps = "c number =10000",
        qps = "c number =0", bandwidth = "c number =50", lcu = "c number =1", category = "c number =0" } } },
    },
    huaweicloud_enterprise_project = { a = {
      id = "oc string", name = "oc string", status = "oc number", description = "c string",
      created_at = "c string", updated_at = "c string", type = "c string =poc",
    } },
    huaweicloud_enterprise_projects = {
      a = { enterprise_project_id = "o string", name = "o string", status = "o number", type = "o string" },
      b = { enterprise_projects = { "c list", a = { id = "c string uuid", name = "c string", description = "c string",
        status = "c number =1", type = "c string =poc", created_at = "c string", updated_at = "c string" } } },
    },
    huaweicloud_cce_clusters = {
      a = { region = region, name = "o string", cluster_id = "o string", type = "o string", vpc_id = "o string",
        cluster_type = "o string", enterprise_project_id = ep, status = "o string", ids = "c list(string) uuid" },
      b = { clusters = { "c list", a = { id = "c string uuid", name = "c string", status = "c string =Available",
        cluster_type = "c string =VirtualMachine", cluster_version = "c string =v1.28", flavor_id = "c string =cce.s1.small",
        vpc_id = "c string uuid", subnet_id = "c string uuid", container_network_type = "c string =overlay_l2",
        container_network_cidr = "c string =172.16.0.0/16", service_network_cidr = "c string =10.247.0.0/16",
        authentication_mode = "c string =rbac", billing_mode = "c number =0", description = "c string",
        enterprise_project_id = "c string =0", security_group_id = "c string uuid", eni_subnet_id = "c string",
        eni_subnet_cidr = "c string", highway_subnet_id = "c string", kube_config_raw = "c string kubeconfig" },
        b = { masters = cce_masters, certificate_clusters = cce_cert_clusters, certificate_users = cce_cert_users,
          endpoints = { "c list", a = { url = "c string url", type = "c string =Internal" } } } } },
    },
    huaweicloud_cce_cluster = { a = {
      region = region, name = "oc string", id = "oc string", status = "oc string", cluster_type = "oc string",
      vpc_id = "oc string", flavor_id = "c string =cce.s1.small", cluster_version = "c string =v1.28",
      description = "c string", billing_mode = "c number =0", subnet_id = "c string uuid",
      container_network_type = "c string =overlay_l2", container_network_cidr = "c string =172.16.0.0/16",
      service_network_cidr = "c string =10.247.0.0/16", authentication_mode = "c string =rbac",
      security_group_id = "c string uuid", enterprise_project_id = "c string =0", kube_config_raw = "c string kubeconfig",
      eni_subnet_id = "c string", eni_subnet_cidr = "c string", kube_proxy_mode = "c string =iptables",
      highway_subnet_id = "c string",
    }, b = {
      masters = cce_masters, certificate_clusters = cce_cert_clusters, certificate_users = cce_cert_users,
      endpoints = { "c list", a = { internal = "c string", external = "c string" } },
    } },
    huaweicloud_cce_addon_template = { a = {
      region = region, cluster_id = "r string", name = "r string", version = "r string",
      description = "c string", spec = "c string addon_spec", stable = "c bool =true",
    }, b = { support_version = { "c list", a = { virtual_machine = "c list(string)", bare_metal = "c list(string)" } } } },
    huaweicloud_fgs_dependencies = {
      a = { region = region, type = "o string", runtime = "o string", name = "o string", version_all = "o bool" },
      b = { packages = { "c list", a = { id = "c string uuid", name = "c string", owner = "c string =public",
        link = "c string url", etag = "c string", size = "c number =1024", file_name = "c string",
        runtime = "c string =Python3.6", description = "c string", version = "c number =1" } } },
    },
    huaweicloud_cbr_vaults = {
      a = { region = region, name = "o string", type = "o string", consistent_level = "o string",
        protection_type = "o string", size = "o number", auto_bind = "o bool", auto_expand_enabled = "o bool",
        enterprise_project_id = ep, policy_id = "o string", status = "o string" },
      b = { vaults = { "c list", a = { id = "c string uuid", name = "c string", type = "c string =server",
        consistent_level = "c string =crash_consistent", protection_type = "c string =backup", size = "c number =100",
        auto_bind = "c bool", auto_expand_enabled = "c bool", enterprise_project_id = "c string =0",
        policy_id = "c string uuid", allocated = "c number =0", used = "c number =0", spec_code = "c string",
        status = "c string =available", storage = "c string", tags = "c map(string)", bind_rules = "c map(string)" },
        b = { resources = { "c list", a = { server_id = "c string uuid", excludes = "c list(string)",
          includes = "c list(string)" } } } } },
    },
    huaweicloud_compute_instance = {
      a = { region = region, name = "oc string", fixed_ip_v4 = "oc string ip", instance_id = "o string",
        flavor_id = "oc string", flavor_name = "c string =s6.large.2", status = "oc string =ACTIVE",
        image_id = "oc string", image_name = "c string", availability_zone = "oc string az",
        enterprise_project_id = "oc string", key_pair = "c string", user_data = "c string",
        security_group_ids = "c list(string)", public_ip = "c string public_ip", system_disk_id = "c string uuid",
        security_groups = "c list(string)", tags = "c map(string)", charging_mode = "c string =postPaid" },
      b = { scheduler_hints = ecs_hints, network = ecs_network, volume_attached = ecs_volumes },
    },
    huaweicloud_compute_instances = {
      a = { region = region, name = "o string", instance_id = "o string", flavor_id = "o string",
        flavor_name = "o string", image_id = "o string", availability_zone = "o string", status = "o string",
        enterprise_project_id = ep, key_pair = "o string", fixed_ip_v4 = "o string", ipv6_address = "o string",
        tags = "o map(string)", ids = "c list(string) uuid" },
      b = { instances = { "c list", a = { id = "c string uuid", name = "c string", image_id = "c string uuid",
        image_name = "c string", flavor_id = "c string =s6.large.2", flavor_name = "c string =s6.large.2",
        availability_zone = "c string az", enterprise_project_id = "c string =0", key_pair = "c string",
        status = "c string =ACTIVE", user_data = "c string", public_ip = "c string public_ip",
        fixed_ip_v4 = "c string ip", ipv6_address = "c string", charging_mode = "c string =postPaid",
        security_group_ids = "c list(string) uuid", tags = "c map(string)", system_disk_id = "c string uuid",
        expired_time = "c string" },
        b = { network = ecs_network, volume_attached = ecs_volumes, scheduler_hints = ecs_hints } } },

    },
    huaweicloud_kms_key = { a = {
      region = region, key_alias = "oc string", key_id = "oc string", key_description = "oc string",
      key_state = "oc string", default_key_flag = "o string", domain_id = "oc string",
      enterprise_project_id = "oc string", creation_date = "c string", scheduled_deletion_date = "c string",
      expiration_time = "c string", rotation_enabled = "c bool", rotation_interval = "c number =365",
      rotation_number = "c number =0", tags = "c map(string)",
    } },
    huaweicloud_identity_projects = {
      a = { name = "o string", project_id = "o string", enabled = "o bool" },
      b = { projects = { "c list", a = { id = "c string uuid", name = "c string region", enabled = "c bool =true" } } },
    },
    huaweicloud_vpcep_public_services = {
      a = { region = region, service_name = "o string", service_id = "o string" },
      b = { services = { "c list", a = { id = "c string uuid", service_name = "c string",
        service_type = "c string =interface", owner = "c string =huaweicloud", is_charge = "c bool" } } },
    },
    huaweicloud_dms_kafka_flavors = {
      a = { region = region, flavor_id = "oc string =c6.2u4g.cluster", availability_zones = "o list(string)", type = "o string",
        arch_type = "o string", charging_mode = "o string", storage_spec_code = "o string",
        versions = "c list(string) =2.7,3.x" },
      b = { flavors = { "c list", a = { id = "c string =c6.2u4g.cluster", type = "c string =cluster",
        vm_specification = "c string =c6.large.2", arch_types = "c list(string) =X86", charging_modes = "c list(string) =hourly" },
        b = { ios = { "c list", a = { storage_spec_code = "c string =dms.physical.storage.ultra.v2", type = "c string =evs",
          availability_zones = "c list(string) az", unavailability_zones = "c list(string)" } } } } },
    },
  },
}
