# A small private module: one VPC and one subnet, published by
# examples/private_registry.lua as the module "demo_net".
variable "name" {
  type = string
}

variable "cidr" {
  type    = string
  default = "10.30.0.0/16"
}

resource "huaweicloud_vpc" "this" {
  name = var.name
  cidr = var.cidr
}

resource "huaweicloud_vpc_subnet" "this" {
  name       = "${var.name}-subnet"
  cidr       = cidrsubnet(var.cidr, 8, 0)
  gateway_ip = cidrhost(cidrsubnet(var.cidr, 8, 0), 1)
  vpc_id     = huaweicloud_vpc.this.id
}

output "vpc_id" {
  value = huaweicloud_vpc.this.id
}
