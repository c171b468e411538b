"""pulumi-smi's policy pack: served by the Pulumi CLI (`pulumi preview --policy-pack policy_pack`).

The policies are pulumi_smi.policy (pure rules) wrapped by pulumi_smi.policy.pack; see README.md.
PolicyPack() serves the policies until the CLI stops it, so nothing here is importable by tests:
they call the rules themselves.
"""

from pulumi_policy import PolicyPack

from pulumi_smi.policy.pack import policies

PolicyPack("pulumi-smi", policies=policies())
