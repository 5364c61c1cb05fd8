-- Schemas of the huaweicloud provider's network resources (VPC, subnet,
-- security groups and rules, EIP, bandwidth, NAT, peering, route tables,
-- address groups, VPC endpoints, ELB, DNS), written from the provider's
-- docs/resources/*.md "Argument Reference" and "Attribute Reference"
-- (https://registry.terraform.io/providers/huaweicloud/huaweicloud/latest/docs).
-- Format: see emu.rfs.schema.

local tags = "o map(string)"
local ep = "oc string"

return {
  resources = {
    huaweicloud_vpc = { a = {
      region = "oc string region", name = "r string", cidr = "o string", description = "o string",
      enterprise_project_id = ep, tags = tags, secondary_cidrs = "o list(string)", secondary_cidr = "o string",
      enhanced_local_route = "oc string", block_service_endpoint_states = "o string",
      status = "c string =OK", routes = "c list(string)",
    } },
    huaweicloud_vpc_subnet = { a = {
      region = "oc string region", name = "r string", cidr = "r string", gateway_ip = "r string", vpc_id = "r string",
      description = "o string", ipv6_enable = "oc bool", dhcp_enable = "o bool", primary_dns = "oc string",
      secondary_dns = "oc string", dns_list = "oc list(string)", availability_zone = "oc string az", tags = tags,
      dhcp_lease_time = "oc string", ntp_server_address = "o string", dhcp_ipv6_lease_time = "oc string",
      dhcp_domain_name = "oc string",
      ipv4_subnet_id = "c string uuid", ipv6_subnet_id = "c string uuid", ipv6_cidr = "c string",
      ipv6_gateway = "c string", status = "c string =ACTIVE", subnet_id = "c string uuid",
    } },
    huaweicloud_networking_secgroup = {
      a = { region = "oc string region", name = "r string", description = "o string", enterprise_project_id = ep,
        delete_default_rules = "o bool", tags = tags, created_at = "c string", updated_at = "c string" },
      b = { rules = { "c list", a = { id = "c string uuid", description = "c string", direction = "c string =ingress",
        ethertype = "c string =IPv4", protocol = "c string =tcp", ports = "c string =22", port_range_min = "c number =22",
        port_range_max = "c number =22", remote_ip_prefix = "c string =0.0.0.0/0", remote_group_id = "c string",
        remote_address_group_id = "c string", action = "c string =allow", priority = "c number =1" } } },
    },
    huaweicloud_networking_secgroup_rule = { a = {
      region = "oc string region", security_group_id = "r string", direction = "r string", ethertype = "r string",
      description = "o string", protocol = "oc string", port_range_min = "oc number", port_range_max = "oc number",
      ports = "oc string", remote_ip_prefix = "oc string", remote_group_id = "oc string",
      remote_address_group_id = "oc string", action = "oc string", priority = "oc number",
    } },
    huaweicloud_vpc_eip = {
      a = { region = "oc string region", name = "oc string", description = "o string", enterprise_project_id = ep,
        tags = tags, charging_mode = "oc string", period_unit = "o string", period = "o number", auto_renew = "o string",
        auto_pay = "o string", address = "c string public_ip", ipv6_address = "c string", private_ip = "c string",
        port_id = "c string uuid", status = "c string =UNBOUND", associate_type = "c string", associate_id = "c string",
        created_at = "c string", updated_at = "c string" },
      b = {
        publicip = { "r list 1 1", a = { type = "oc string =5_bgp", ip_address = "oc string public_ip",
          ip_version = "oc number =4", port_id = "oc string" } },
        bandwidth = { "r list 1 1", a = { share_type = "r string", name = "oc string", size = "oc number",
          id = "oc string", charge_mode = "oc string" } },
      },
    },
    huaweicloud_vpc_bandwidth = { a = {
      region = "oc string region", name = "r string", size = "r number", share_type = "oc string =WHOLE",
      bandwidth_type = "oc string", charge_mode = "oc string", charging_mode = "oc string", period_unit = "o string",
      period = "o number", auto_renew = "o string", enterprise_project_id = ep, public_border_group = "oc string",
      status = "c string =NORMAL", created_at = "c string", updated_at = "c string",
    }, b = {
      publicips = { "c list", a = { id = "c string uuid", type = "c string =5_bgp", ip_version = "c number =4",
        ip_address = "c string public_ip" } },
    } },
    huaweicloud_vpc_bandwidth_associate = { a = {
      region = "oc string region", bandwidth_id = "r string", eip_id = "o string", public_ip = "oc string public_ip",
      network_type = "o string", fixed_ip = "o string", port_id = "o string", bandwidth_charge_mode = "o string",
      bandwidth_size = "o number", bandwidth_name = "c string", ip_version = "c number =4",
      public_ip_type = "c string =5_bgp", public_ipv6 = "c string",
    } },
    huaweicloud_vpc_eip_associate = { a = {
      region = "oc string region", public_ip = "r string", network_id = "o string", fixed_ip = "oc string",
      port_id = "oc string", mac_address = "c string", status = "c string", public_ipv6 = "c string",
    } },
    huaweicloud_nat_gateway = { a = {
      region = "oc string region", name = "r string", spec = "r string", vpc_id = "r string", subnet_id = "r string",
      description = "o string", enterprise_project_id = ep, tags = tags, charging_mode = "oc string",
      period_unit = "o string", period = "o number", auto_renew = "o string", ngport_ip_address = "oc string ip",
      status = "c string =ACTIVE", session_conf = "c string", created_at = "c string",
    } },
    huaweicloud_nat_snat_rule = { a = {
      region = "oc string region", nat_gateway_id = "r string", floating_ip_id = "o string", subnet_id = "o string",
      cidr = "o string", source_type = "o number", description = "o string", global_eip_id = "o string",
      floating_ip_address = "c string public_ip", status = "c string =ACTIVE", created_at = "c string",
      global_eip_address = "c string", freezed_ip_address = "c string",
    } },
    huaweicloud_nat_dnat_rule = { a = {
      region = "oc string region", nat_gateway_id = "r string", floating_ip_id = "o string", protocol = "r string",
      internal_service_port = "o number", external_service_port = "o number", port_id = "o string",
      private_ip = "o string", description = "o string", internal_service_port_range = "o string",
      external_service_port_range = "o string", global_eip_id = "o string",
      floating_ip_address = "c string public_ip", status = "c string =ACTIVE", created_at = "c string",
    } },
    huaweicloud_vpc_peering_connection = { a = {
      region = "oc string region", name = "r string", vpc_id = "r string", peer_vpc_id = "r string",
      peer_tenant_id = "oc string", description = "o string", status = "c string =ACTIVE",
    } },
    huaweicloud_vpc_peering_connection_accepter = { a = {
      region = "oc string region", vpc_peering_connection_id = "r string", accept = "o bool", name = "c string",
      vpc_id = "c string", peer_vpc_id = "c string", peer_tenant_id = "c string", status = "c string =ACTIVE",
      description = "c string",
    } },
    huaweicloud_vpc_route_table = {
      a = { region = "oc string region", name = "r string", vpc_id = "r string", description = "o string",
        subnets = "oc list(string)", default = "c bool", created_at = "c string", updated_at = "c string" },
      b = { route = { "o list", a = { destination = "r string", type = "r string", nexthop = "r string",
        description = "o string" } } },
    },
    huaweicloud_vpc_route = { a = {
      region = "oc string region", vpc_id = "r string", destination = "r string", type = "r string",
      nexthop = "r string", description = "o string", route_table_id = "oc string", route_table_name = "c string",
    } },
    huaweicloud_vpc_address_group = { a = {
      region = "oc string region", name = "r string", addresses = "oc set(string)", ip_version = "oc number =4",
      description = "o string", max_capacity = "oc number", enterprise_project_id = ep, force_destroy = "o bool",
      ip_extra_set = "oc set(string)",
    } },
    huaweicloud_networking_vip = { a = {
      region = "oc string region", network_id = "r string", subnet_id = "oc string", ip_version = "oc number",
      ip_address = "oc string ip", name = "oc string", description = "o string", mac_address = "c string mac",
      status = "c string =DOWN", device_owner = "c string", tenant_id = "c string",
    } },
    huaweicloud_networking_vip_associate = { a = {
      region = "oc string region", vip_id = "r string", port_ids = "r set(string)", vip_subnet_id = "c string",
      vip_ip_address = "c string ip", ip_addresses = "c list(string)",
    } },
    huaweicloud_vpcep_service = {
      a = { region = "oc string region", vpc_id = "r string", port_id = "r string", server_type = "r string",
        name = "oc string", approval = "oc bool", permissions = "oc list(string)", description = "o string",
        service_type = "o string", organization_permissions = "oc set(string)", enable_policy = "oc bool",
        ip_version = "oc string", snat_network_id = "o string", tcp_proxy = "oc string", tags = tags,
        status = "c string =available", service_name = "c string" },
      b = {
        port_mapping = { "r list 1", a = { protocol = "o string", service_port = "o number", terminal_port = "o number" } },
        connections = { "c list", a = { endpoint_id = "c string uuid", packet_id = "c number =1",
          domain_id = "c string uuid", status = "c string =accepted", description = "c string" } },
      },
    },
    huaweicloud_vpcep_endpoint = { a = {
      region = "oc string region", service_id = "r string", vpc_id = "r string", network_id = "o string",
      ip_address = "oc string ip", enable_dns = "o bool", description = "o string", routetables = "oc list(string)",
      enable_whitelist = "o bool", whitelist = "o list(string)", policy_statement = "o string", tags = tags,
      ipv6_address = "o string", policy_document = "o string",
      status = "c string =accepted", service_name = "c string", service_type = "c string", packet_id = "c number =1",
      private_domain_name = "c string",
    } },
    huaweicloud_vpcep_approval = {
      a = { region = "oc string region", service_id = "r string", endpoints = "r list(string)" },
      b = { connections = { "c list", a = { endpoint_id = "c string uuid", packet_id = "c number =1",
        domain_id = "c string uuid", status = "c string =accepted", description = "c string" } } },
    },
    huaweicloud_elb_loadbalancer = { a = {
      region = "oc string region", availability_zone = "r list(string)", name = "r string", vpc_id = "oc string",
      ipv4_subnet_id = "oc string", ipv6_network_id = "o string", ipv6_bandwidth_id = "o string",
      ipv4_address = "oc string ip", ipv4_eip_id = "oc string", iptype = "o string", bandwidth_charge_mode = "o string",
      sharetype = "o string", bandwidth_size = "o number", bandwidth_id = "o string", l4_flavor_id = "oc string",
      l7_flavor_id = "oc string", backend_subnets = "oc list(string)", cross_vpc_backend = "o bool",
      description = "o string", loadbalancer_type = "oc string", tags = tags, enterprise_project_id = ep,
      protection_status = "oc string", protection_reason = "o string", deletion_protection_enable = "o bool",
      charging_mode = "oc string", period_unit = "o string", period = "o number", auto_renew = "o string",
      autoscaling_enabled = "oc bool", min_l7_flavor_id = "o string", waf_failure_action = "o string",
      ipv4_port_id = "c string uuid", ipv4_eip = "c string public_ip", ipv6_eip = "c string",
      ipv6_eip_id = "c string", ipv6_address = "c string", created_at = "c string", updated_at = "c string",
    } },
    huaweicloud_elb_listener = { a = {
      region = "oc string region", loadbalancer_id = "r string", protocol = "r string", protocol_port = "oc number",
      name = "oc string", description = "o string", default_pool_id = "oc string", http2_enable = "oc bool",
      forward_eip = "oc bool", forward_port = "oc bool", forward_request_port = "oc bool", forward_host = "oc bool",
      server_certificate = "o string", sni_certificate = "o list(string)", ca_certificate = "o string",
      tls_ciphers_policy = "oc string", idle_timeout = "oc number", request_timeout = "oc number",
      response_timeout = "oc number", advanced_forwarding_enabled = "oc bool", access_policy = "o string",
      ip_group = "o string", tags = tags, enterprise_project_id = ep, port_ranges = "o list(string)",
      created_at = "c string", updated_at = "c string",
    } },
    huaweicloud_elb_pool = {
      a = { region = "oc string region", protocol = "r string", lb_method = "r string", name = "oc string",
        description = "o string", listener_id = "oc string", loadbalancer_id = "oc string", type = "oc string",
        vpc_id = "oc string", protection_status = "oc string", protection_reason = "o string",
        slow_start_enabled = "oc bool", slow_start_duration = "oc number", monitor_id = "c string",
        ip_version = "oc string", deletion_protection_enable = "o bool" },
      b = { persistence = { "o list 0 1", a = { type = "r string", cookie_name = "o string", timeout = "oc number" } } },
    },
    huaweicloud_elb_member = { a = {
      region = "oc string region", pool_id = "r string", address = "r string", protocol_port = "oc number",
      weight = "oc number", subnet_id = "o string", name = "oc string", operating_status = "c string =ONLINE",
    } },
    huaweicloud_elb_monitor = { a = {
      region = "oc string region", pool_id = "r string", protocol = "r string", interval = "r number",
      timeout = "r number", max_retries = "r number", max_retries_down = "oc number", port = "o number",
      url_path = "oc string", domain_name = "oc string", http_method = "oc string", expected_codes = "oc string",
      status_code = "oc string", name = "oc string", enabled = "oc bool", status = "c string",
      created_at = "c string", updated_at = "c string",
    } },
    huaweicloud_elb_certificate = { a = {
      region = "oc string region", name = "oc string", description = "o string", type = "oc string",
      domain = "o string", private_key = "o string", certificate = "r string", enterprise_project_id = ep,
      expire_time = "c string", created_at = "c string", create_time = "c string", update_time = "c string",
    } },
    -- the shared (classic) load balancer resources, still common in older templates
    huaweicloud_lb_loadbalancer = { a = {
      region = "oc string region", vip_subnet_id = "r string", name = "oc string", description = "o string",
      tenant_id = "oc string", vip_address = "oc string ip", admin_state_up = "o bool", loadbalancer_provider = "oc string",
      enterprise_project_id = ep, tags = tags, vip_port_id = "c string uuid", public_ip = "c string",
    } },
    huaweicloud_lb_listener = { a = {
      region = "oc string region", protocol = "r string", protocol_port = "r number", loadbalancer_id = "r string",
      tenant_id = "oc string", name = "oc string", default_pool_id = "oc string", description = "o string",
      connection_limit = "oc number", http2_enable = "oc bool", default_tls_container_ref = "o string",
      sni_container_refs = "o list(string)", admin_state_up = "o bool", tags = tags, protection_status = "oc string",
      protection_reason = "o string", idle_timeout = "oc number", request_timeout = "oc number",
      response_timeout = "oc number", tls_ciphers_policy = "oc string", forward_eip = "oc bool",
    } },
    huaweicloud_lb_pool = {
      a = { region = "oc string region", protocol = "r string", lb_method = "r string", tenant_id = "oc string",
        name = "oc string", description = "o string", loadbalancer_id = "oc string", listener_id = "oc string",
        admin_state_up = "o bool", protection_status = "oc string", protection_reason = "o string",
        monitor_id = "c string" },
      b = { persistence = { "o list 0 1", a = { type = "r string", cookie_name = "o string", timeout = "oc number" } } },
    },
    huaweicloud_lb_member = { a = {
      region = "oc string region", pool_id = "r string", subnet_id = "o string", address = "r string",
      protocol_port = "r number", weight = "oc number", name = "oc string", tenant_id = "oc string",
      admin_state_up = "o bool",
    } },
    huaweicloud_lb_monitor = { a = {
      region = "oc string region", pool_id = "r string", type = "r string", delay = "r number", timeout = "r number",
      max_retries = "r number", name = "oc string", tenant_id = "oc string", url_path = "oc string",
      http_method = "oc string", expected_codes = "oc string", admin_state_up = "o bool", port = "o number",
      domain_name = "o string",
    } },
    huaweicloud_dns_zone = {
      a = { region = "oc string region", name = "r string", email = "oc string", zone_type = "o string",
        description = "o string", ttl = "oc number", tags = tags, enterprise_project_id = ep, status = "oc string",
        dnssec = "oc string", proxy_pattern = "oc string", router_list_count = "c number",
        masters = "c set(string)", created_at = "c string", updated_at = "c string" },
      b = { router = { "o list",
 a = { router_id = "r string", router_region = "oc string region" } } },
    },
    huaweicloud_dns_recordset = { a = {
      region = "oc string region", zone_id = "r string", name = "r string", type = "r string",
      records = "r list(string)", ttl = "oc number", description = "o string", tags = tags, status = "oc string",
      line_id = "oc string", weight = "oc number", zone_name = "c string", zone_type = "c string",
    } },
  },
}
