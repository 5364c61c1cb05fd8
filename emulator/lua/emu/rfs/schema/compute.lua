-- Schemas of the huaweicloud provider's compute resources (ECS, key pairs,
-- volume and EIP attachment, EVS, IMS, Auto Scaling), written from the
-- provider's docs/resources/*.md "Argument Reference" and "Attribute
-- Reference" (https://registry.terraform.io/providers/huaweicloud/huaweicloud/latest/docs).
-- Format: see emu.rfs.schema.

local tags = "o map(string)"
local ep = "oc string"

return {
  resources = {
    huaweicloud_compute_instance = {
      prepaid = true,
      a = {
        region = "oc string region", name = "r string", description = "o string", image_id = "oc string",
        image_name = "oc string", flavor_id = "oc string", flavor_name = "oc string",
        security_group_ids = "oc set(string)", security_groups = "oc set(string)", availability_zone = "oc string az",
        admin_pass = "os string", key_pair = "o string", private_key = "os string", system_disk_type = "oc string",
        system_disk_size = "oc number", system_disk_iops = "o number", system_disk_throughput = "o number",
        system_disk_kms_key_id = "o string", system_disk_dss_pool_id = "o string", eip_type = "o string",
        eip_id = "o string", user_data = "o string", metadata = "o map(string)", tags = tags,
        stop_before_destroy = "o bool", delete_disks_on_termination = "o bool", delete_eip_on_termination = "o bool",
        enterprise_project_id = ep, spot_maximum_price = "o string", spot_duration = "o number",
        spot_duration_count = "o number", user_id = "o string", agency_name = "oc string", agent_list = "o string",
        power_action = "o string", hostname = "oc string", enable_jumbo_frame = "o bool", auto_terminate_time = "o string",
        public_ip = "c string public_ip", access_ip_v4 = "c string ip", access_ip_v6 = "c string", status = "c string =ACTIVE",
        system_disk_id = "c string uuid", created_at = "c string", updated_at = "c string", charging_mode_period = "c string",
        expired_time = "c string",
      },
      b = {
        network = { "r list 1", a = { uuid = "r string", fixed_ip_v4 = "oc string ip", fixed_ip_v6 = "oc string ipv6",
          ipv6_enable = "o bool", source_dest_check = "o bool", access_network = "o bool", mac = "c string mac",
          port = "c string uuid" } },
        data_disks = { "o list", a = { type = "r string", size = "r number", snapshot_id = "o string",
          kms_key_id = "o string", iops = "o number", throughput = "o number", dss_pool_id = "o string",
          device_type = "o string" } },
        bandwidth = { "o list 0 1", a = { share_type = "r string", id = "o string", size = "o number",
          charge_mode = "o string", extend_param = "o map(string)" } },
        scheduler_hints = { "o list", a = { group = "o string", tenancy = "o string", deh_id = "o string",
          fault_domain = "o string" } },
        volume_attached = { "c list", a = { volume_id = "c string uuid", pci_address = "c string =0000:02:01.0",
          boot_index = "c number =0", size = "c number =40", type = "c string =GPSSD", is_sys_volume = "c bool =true" } },
      },
    },
    huaweicloud_compute_keypair = { a = {
      region = "oc string region", name = "r string", public_key = "oc string", key_file = "o string",
      encryption_type = "o string", kms_key_name = "o string", kms_key_id = "o string", description = "o string",
      user_id = "o string", private_key = "cs string", created_at = "c string", fingerprint = "c string",
    } },
    huaweicloud_kps_keypair = { a = {
      region = "oc string region", name = "r string", scope = "oc string", public_key = "oc string",
      key_file = "o string", encryption_type = "oc string", kms_key_name = "o string", kms_key_id = "o string",
      description = "o string", user_id = "oc string", private_key = "cs string", created_at = "c string",
      fingerprint = "c string", is_managed = "c bool",
    } },
    huaweicloud_compute_volume_attach = { a = {
      region = "oc string region", instance_id = "r string", volume_id = "r string", device = "oc string =/dev/vdb",
      pci_address = "c string =0000:02:02.0",
    } },
    huaweicloud_compute_eip_associate = { a = {
      region = "oc string region", public_ip = "oc string", bandwidth_id = "o string", instance_id = "r string",
      fixed_ip = "oc string", port_id = "c string uuid",
    } },
    huaweicloud_compute_servergroup = { a = {
      region = "oc string region", name = "r string", policies = "r list(string)", members = "oc set(string)",
      fault_domains = "o list(string)",
    } },
    huaweicloud_evs_volume = {
      prepaid = true,
      a = {
        region = "oc string region", availability_zone = "r string", volume_type = "r string", name = "oc string",
        size = "oc number", description = "o string", server_id = "o string", image_id = "o string",
        snapshot_id = "o string", backup_id = "o string", device_type = "o string", multiattach = "o bool",
        kms_id = "o string", iops = "oc number", throughput = "oc number", dedicated_storage_id = "o string",
        enterprise_project_id = ep, tags = tags, cascade = "o bool", dss_storage_pool_id = "o string",
        wwn = "c string", status = "c string =available", bootable = "c string", created_at = "c string",
      },
      b = { attachment = { "c list", a = { id = "c string uuid", instance_id = "c string uuid", device = "c string =/dev/vdb" } } },
    },
    huaweicloud_images_image = { a = {
      region = "oc string region", name = "r string", instance_id = "o string", image_url = "o string",
      min_disk = "oc number", volume_id = "o string", backup_id = "o string", os_version = "oc string",
      type = "oc string", description = "o string", is_config = "o bool", cmk_id = "o string", max_ram = "o number",
      min_ram = "oc number", tags = tags, enterprise_project_id = ep, vault_id = "o string", hw_firmware_type = "oc string",
      visibility = "c string =private", data_origin = "c string", disk_format = "c string =zvhd2",
      image_size = "c string =0", checksum = "c string", status = "c string =active",
    } },
    huaweicloud_as_configuration = {
      a = { region = "oc string region", scaling_configuration_name = "r string", instance_id = "o string" },
      b = { instance_config = { "r list 1 1",
        a = { instance_id = "o string", flavor = "oc string", image = "oc string", key_name = "o string",
          security_group_ids = "o list(string)", charging_mode = "oc string", flavor_priority_policy = "oc string",
          ecs_group_id = "o string", tenancy = "o string", dedicated_host_id = "o string", user_data = "o string",
          admin_pass = "os string", metadata = "o map(string)" },
        b = {
          disk = { "o list", a = { size = "r number", volume_type = "r string", disk_type = "r string",
            kms_id = "o string", dedicated_storage_id = "o string", data_disk_image_id = "o string",
            snapshot_id = "o string", iops = "o number", throughput = "o number" } },
          public_ip = { "o list 0 1", b = { eip = { "r list 1 1", a = { ip_type = "r string" },
            b = { bandwidth = { "r list 1 1", a = { share_type = "r string", size = "o number", charging_mode = "o string",
              id = "o string" } } } } } },
        } } },
    },
    huaweicloud_as_group = {
      a = { region = "oc string region", scaling_group_name = "r string", scaling_configuration_id = "o string",
        desire_instance_number = "oc number", min_instance_number = "o number", max_instance_number = "o number",
        cool_down_time = "o number", availability_zones = "oc list(string)", available_zones = "oc list(string)",
        notifications = "o list(string)", vpc_id = "r string", health_periodic_audit_method = "o string",
        health_periodic_audit_time = "o number", health_periodic_audit_grace_period = "oc number",
        instance_terminate_policy = "o string", tags = tags, delete_publicip = "o bool", delete_volume = "o bool",
        delete_instances = "o string", force_delete = "o bool", enterprise_project_id = ep, enable = "o bool",
        agency_name = "o string", multi_az_scaling_policy = "oc string", description = "o string",
        status = "c string =INSERVICE", current_instance_number = "c number", instances = "c list(string)" },
      b = {
        networks = { "r list 1", a = { id = "r string", ipv6_enable = "o bool", ipv6_bandwidth_id = "o string",
          source_dest_check = "o bool" } },
        security_groups = { "o list", a = { id = "r string" } },
        lbaas_listeners = { "o list", a = { pool_id = "r string", protocol_port = "r number", weight = "o number",
          protocol_version = "o string" } },
      },
    },
    huaweicloud_as_policy = {
      a = { region = "oc string region", scaling_policy_name = "r string", scaling_group_id = "r string",
        scaling_policy_type = "r string", alarm_id = "o string", cool_down_time = "oc number", action = "o string",
        status = "c string =INSERVICE" },
      b = {
        scheduled_policy = { "o list 0 1", a = { launch_time = "r string", recurrence_type = "o string",
          recurrence_value = "o string", start_time = "oc string", end_time = "o string" } },
        scaling_policy_action = { "o list 0 1", a = { operation = "o string", instance_number = "o number",
          instance_percentage = "o number" } },
      },
    },
  },
}
