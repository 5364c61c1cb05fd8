# A private hook policy (examples/private_registry.lua): no stack may
# create an elastic public IP.
package policy

import rego.v1

public_ips contains rc.address if {
	some rc in input.plan.resource_changes
	rc.type == "huaweicloud_vpc_eip"
	"create" in rc.actions
}

hook_result := {
	"is_passed": count(public_ips) == 0,
	"err_msg": sprintf("public IPs are not allowed here: %s", [concat(", ", sort(public_ips))]),
}
