# The KubeRay operator (and its CRDs: RayCluster, RayJob, RayService) that runs the stack's
# RayService (python -m cluster.kuberay, applied by cluster/deploy.sh).
resource "helm_release" "kuberay_operator" {
  name             = "kuberay-operator"
  repository       = "https://ray-project.github.io/kuberay-helm/"
  chart            = "kuberay-operator"
  version          = var.kuberay_operator_version
  namespace        = "kuberay-system"
  create_namespace = true
  atomic           = true
  wait             = true

  depends_on = [module.eks]
}
