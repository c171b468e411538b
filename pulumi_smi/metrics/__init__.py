"""Golden signals: one metrics contract over every mesh, and SLO alerts from intent.

Pure (no Pulumi import): :mod:`.contract` names the normalised series, :mod:`.objectives`
collects the objectives the SMI objects and Services carry.
"""
