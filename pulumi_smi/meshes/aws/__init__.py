"""What the AWS targets (``vpc-lattice``, ``appmesh``) share: name rules and output references."""
