"""ctrl+u (`?args=resource`) accepts a change under the resources of a container or, for a
process app, of a process; anything else is refused at the changed path."""

from bcs_tui.ui.validators import _is_resources_path, first_change


def test_resources_of_containers_and_processes_count_as_resources():
    for part in ("containers", "processes"):
        old = {"spec": {"template": {"spec": {part: [{"resources": {"limits": {"memory": "256"}},
                                                       "image": "a"}]}}}}
        new = {"spec": {"template": {"spec": {part: [{"resources": {"limits": {"memory": "512"}},
                                                       "image": "a"}]}}}}
        assert first_change(old, new, skip=_is_resources_path) is None, part
        new["spec"]["template"]["spec"][part][0]["image"] = "b"
        assert first_change(old, new, skip=_is_resources_path) == ("spec", "template", "spec", part, 0, "image")
