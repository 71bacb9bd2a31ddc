import pytest

from scw_mcp.runtime.settings import Settings, SettingsError, load_settings

AK = "SCWABCDEFGHIJ0123456"[:20]
SK = "11111111-2222-3333-4444-555555555555"
PID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def test_environment_wins_over_config_file_and_aliases_work(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(
        f"access_key: SCWFILEFILEFILEFILE1\nsecret_key: {SK}\ndefault_zone: nl-ams-1\n"
        f"profiles:\n  prod:\n    default_region: pl-waw\n    default_project_id: {PID}\n"
    )
    env = {"SCW_CONFIG_PATH": str(config), "SCW_ACCESS_KEY": AK, "SCW_PROJECT_ID": PID}
    settings = load_settings(environ=env)
    assert settings.access_key == AK and settings.secret_key == SK and settings.zone == "nl-ams-1"
    assert settings.project_id == PID and settings.problems() == []
    prod = load_settings(profile="prod", environ={"SCW_CONFIG_PATH": str(config)})
    assert prod.region == "pl-waw" and prod.access_key == "SCWFILEFILEFILEFILE1"


def test_unknown_profile_is_a_clear_error(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("access_key: x\nprofiles:\n  a: {}\n")
    with pytest.raises(SettingsError, match="profile 'nope' is not in"):
        load_settings(profile="nope", environ={"SCW_CONFIG_PATH": str(config)})


def test_problems_name_variables_and_never_the_secret():
    settings = Settings(access_key="bad", secret_key="super-secret-value", project_id="nope")
    text = "; ".join(settings.problems())
    assert "SCW_ACCESS_KEY is malformed" in text and "SCW_SECRET_KEY is malformed" in text
    assert "SCW_DEFAULT_PROJECT_ID is malformed" in text
    assert "super-secret-value" not in text
    assert settings.redact("x super-secret-value y") == "x [redacted] y"
    assert "super-secret-value" not in str(settings.public_view()) and "super-secret-value" not in repr(settings)


def test_missing_credentials_name_the_variables():
    with pytest.raises(SettingsError) as err:
        Settings().require_credentials()
    assert "SCW_ACCESS_KEY is not set" in str(err.value) and "SCW_SECRET_KEY is not set" in str(err.value)
