import keyring
import pytest
from keyring.backend import KeyringBackend

from hvconsole.credentials import Account, CredentialStore


class DictKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("missing")
        del self.store[(service, username)]


def test_accounts_go_to_the_keyring_under_service_hvconsole() -> None:
    backend = DictKeyring()
    store = CredentialStore(backend)
    store.put("Cluster1", Account("CONTOSO\\admin", "Pa55w.rd"))
    assert ("hvconsole", "Cluster1") in backend.store
    fresh = CredentialStore(backend)
    assert fresh.lookup(["HV1", "Cluster1"]) == Account("CONTOSO\\admin", "Pa55w.rd")
    fresh.forget("Cluster1")
    assert backend.store == {}


def test_without_a_keyring_accounts_live_in_memory_and_the_user_is_told() -> None:
    from keyring.backends import fail

    store = CredentialStore(fail.Keyring())
    assert not store.persistent
    assert store.notice and "memory" in store.notice
    store.put("HV1", Account("admin", "secret"))
    assert store.get("HV1") == Account("admin", "secret")
    assert CredentialStore(fail.Keyring()).get("HV1") is None


def test_an_account_never_shows_its_password() -> None:
    account = Account("admin", "TopSecret-42")
    assert "TopSecret-42" not in repr(account) and "TopSecret-42" not in str(account)


def test_not_remembered_accounts_stay_out_of_the_keyring() -> None:
    backend = DictKeyring()
    store = CredentialStore(backend)
    store.put("HV1", Account("admin", "x"), remember=False)
    assert backend.store == {} and store.get("HV1") is not None


@pytest.mark.parametrize("raw", ["not json", '{"username": "a"}', "[]"])
def test_foreign_keyring_entries_are_ignored(raw: str) -> None:
    backend = DictKeyring()
    backend.store[("hvconsole", "HV1")] = raw
    assert CredentialStore(backend).get("HV1") is None
