"""The AWS targets: ``vpc-lattice`` (recommended) and ``appmesh`` (end of support 2026-09-30)."""
