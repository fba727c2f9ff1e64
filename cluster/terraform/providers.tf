provider "aws" {
  region = var.region

  default_tags {
    tags = merge(var.tags, { "app.kubernetes.io/part-of" = "ctv-adserver", "ctv:stack" = var.name })
  }
}

# The KubeRay operator is installed into the cluster this configuration creates; the token comes
# from the AWS CLI of whoever runs terraform (the cluster creator is a cluster admin, eks.tf).
provider "helm" {
  kubernetes {
    host                   = module.eks.cluster_endpoint
    cluster_ca_certificate = base64decode(module.eks.cluster_certificate_authority_data)

    exec {
      api_version = "client.authentication.k8s.io/v1beta1"
      command     = "aws"
      args        = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", var.region]
    }
  }
}
