"""The embedded BCS mesos simulator (see docs/simulator.md).

Import the parts you need (`bcs_tui.sim.cluster.SimCluster`, `bcs_tui.sim.server.create_app` /
`start_in_loop`, `bcs_tui.sim.runner.run_sim`); nothing is imported here so that loading the
console never pays for the simulator.
"""
