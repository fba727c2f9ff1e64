# IRSA: the Ray pods' service account assumes this role, which may read, write and delete
# objects of the creatives bucket and nothing else.

data "aws_iam_policy_document" "ray_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [module.eks.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${module.eks.oidc_provider}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${var.service_account}"]
    }

    condition {
      test     = "StringEquals"
      variable = "${module.eks.oidc_provider}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "ray" {
  name               = "${var.name}-ray"
  description        = "Ray pods of ${var.name} (service account ${var.namespace}/${var.service_account})"
  assume_role_policy = data.aws_iam_policy_document.ray_assume.json
}

data "aws_iam_policy_document" "creatives_access" {
  statement {
    sid = "CreativeObjects"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
    ]
    resources = ["${aws_s3_bucket.creatives.arn}/*"]
  }

  # Without ListBucket a HEAD of a missing key answers 403 instead of 404, and the object
  # store (storage/object_store.py) could not tell "not found" from "not allowed".
  statement {
    sid       = "CreativeKeys"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.creatives.arn]
  }
}

resource "aws_iam_role_policy" "ray_creatives" {
  name   = "creatives-bucket"
  role   = aws_iam_role.ray.id
  policy = data.aws_iam_policy_document.creatives_access.json
}
