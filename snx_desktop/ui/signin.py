"""The sign-in dialog: server, e-mail and password or a permanent token, remember me,
and the accounts used before (to switch between them).

The dialog only collects input; the caller signs in and, on failure, shows the dialog again
with the error and everything typed kept. Remembered accounts are listed from QSettings
(server and e-mail only: secrets live in the keyring, see :mod:`snx_desktop.secrets`).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from snx_desktop.ui.accounts import KnownAccount as KnownAccount
from snx_desktop.ui.accounts import load_accounts as load_accounts
from snx_desktop.ui.accounts import save_account as save_account

__all__ = [
    "LIVE_SERVER",
    "SignInDialog",
    "SignInRequest",
    "load_accounts",
    "save_account",
]

LIVE_SERVER = "https://logon.salesnexus.com"


@dataclass(frozen=True)
class SignInRequest:
    server: str
    email: str
    password: str = ""
    token: str = ""
    remember: bool = False
    #: a token sign-in's account identity (``token-…``, it names the offline store and the
    #: keyring entry) when it is not the one derived from ``token``: the account was first
    #: signed in with an earlier token, and keeps its store and queued changes
    identity: str = ""

    @property
    def uses_token(self) -> bool:
        return bool(self.token)


class SignInDialog(QDialog):
    """Collects a :class:`SignInRequest`; :meth:`request` reads it after ``accepted``."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        accounts: list[KnownAccount] | None = None,
        server: str = "",
        sandbox_url: str = "",
        keyring_warning: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle("Sign in to SalesNexus")
        self.setAccessibleName("Sign in")
        self.setMinimumWidth(460)
        self._accounts = accounts or []
        #: the store identity (``token-…``) of a remembered token account picked from the list
        self._token_identity = ""
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(form)

        self.account = QComboBox(self)
        self.account.setObjectName("accountChoice")
        self.account.setAccessibleName("Account")
        self.account.addItem("New account…", None)
        for acc in self._accounts:
            self.account.addItem(acc.label, acc)
        self.account.currentIndexChanged.connect(self._account_chosen)
        if self._accounts:
            form.addRow("&Account:", self.account)
        else:
            self.account.hide()

        self.server = QComboBox(self)
        self.server.setObjectName("serverField")
        self.server.setAccessibleName("Server")
        self.server.setEditable(True)
        self.server.addItem(LIVE_SERVER)
        if sandbox_url:
            self.server.addItem(sandbox_url)
        self.server.setCurrentText(server or LIVE_SERVER)
        self.server.setToolTip("The SalesNexus service, or the address of a local sandbox server.")
        form.addRow("&Server:", self.server)

        method_row = QWidget(self)
        method_layout = QVBoxLayout(method_row)
        method_layout.setContentsMargins(0, 0, 0, 0)
        self.use_password = QRadioButton("E-mail and password", method_row)
        self.use_password.setAccessibleName("Sign in with e-mail and password")
        self.use_token = QRadioButton("Permanent token", method_row)
        self.use_token.setAccessibleName("Sign in with a permanent token")
        self._method = QButtonGroup(self)
        self._method.addButton(self.use_password)
        self._method.addButton(self.use_token)
        self.use_password.setChecked(True)
        method_layout.addWidget(self.use_password)
        method_layout.addWidget(self.use_token)
        form.addRow("Sign in with:", method_row)

        self.email = QLineEdit(self)
        self.email.setObjectName("emailField")
        self.email.setAccessibleName("E-mail")
        self.email.setPlaceholderText("you@company.com")
        form.addRow("&E-mail:", self.email)
        self.password = QLineEdit(self)
        self.password.setObjectName("passwordField")
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&Password:", self.password)
        self.token = QLineEdit(self)
        self.token.setObjectName("tokenField")
        self.token.setAccessibleName("Permanent token")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&Token:", self.token)

        self.remember = QCheckBox("&Remember me on this computer", self)
        self.remember.setObjectName("rememberMe")
        self.remember.setAccessibleName("Remember me")
        layout.addWidget(self.remember)
        self.keyring_note = QLabel(self)
        self.keyring_note.setObjectName("keyringWarning")
        self.keyring_note.setAccessibleName("Keyring warning")
        self.keyring_note.setWordWrap(True)
        self.set_keyring_warning(keyring_warning)
        layout.addWidget(self.keyring_note)

        self.error = QLabel(self)
        self.error.setObjectName("signInError")
        self.error.setAccessibleName("Sign-in error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Sign in")
        ok.setAccessibleName("Sign in")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        self.buttons.accepted.connect(self._try_accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self._form = form
        self.use_token.toggled.connect(self._method_changed)
        self._method_changed()
        if self._accounts:
            self.account.setCurrentIndex(1)

    def set_keyring_warning(self, text: str | None) -> None:
        self.keyring_note.setText(text or "")
        self.keyring_note.setVisible(bool(text))

    def set_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _account_chosen(self, index: int) -> None:
        acc = self.account.itemData(index)
        if not isinstance(acc, KnownAccount):
            return
        self.server.setCurrentText(acc.server)
        # a token account's name is its store's identity, not an e-mail: kept, not shown
        self._token_identity = acc.email if acc.uses_token else ""
        self.email.setText("" if acc.uses_token else acc.email)
        self.use_token.setChecked(acc.uses_token)
        self.use_password.setChecked(not acc.uses_token)
        self.remember.setChecked(acc.remember)
        (self.token if acc.uses_token else self.password).setFocus()

    def _method_changed(self) -> None:
        token = self.use_token.isChecked()
        pairs = ((self.password, not token), (self.token, token), (self.email, not token))
        for widget, visible in pairs:
            widget.setVisible(visible)
            label = self._form.labelForField(widget)
            if label is not None:
                label.setVisible(visible)

    def _try_accept(self) -> None:
        request = self.request()
        if not request.server.startswith(("https://", "http://")):
            self.set_error("The server address must start with https://")
            return
        if request.uses_token:
            if not request.token:
                self.set_error("Enter your permanent token.")
                return
        elif "@" not in request.email or not request.password:
            self.set_error("Enter your e-mail address and password.")
            return
        self.set_error("")
        self.accept()

    def request(self) -> SignInRequest:
        token_mode = self.use_token.isChecked()
        return SignInRequest(
            server=self.server.currentText().strip().rstrip("/"),
            email="" if token_mode else self.email.text().strip(),
            password="" if token_mode else self.password.text(),
            token=self.token.text().strip() if token_mode else "",
            remember=self.remember.isChecked(),
            identity=self._token_identity if token_mode else "",
        )

    def fill(self, server: str, email: str) -> None:
        self.server.setCurrentText(server)
        self.email.setText(email)
        self.password.setFocus()

    def expect_renewal(
        self, server: str, email: str, *, uses_token: bool, remember: bool, message: str
    ) -> None:
        """Sign in again to the account already open: server, e-mail and the way of signing
        in are fixed (the offline store and the queued changes belong to that account); only
        the password or token is asked for."""
        self.setObjectName("renewSignInDialog")
        self.setWindowTitle("Session expired")
        self.account.hide()
        label = self._form.labelForField(self.account)
        if label is not None:
            label.hide()
        self.fill(server, email)
        self.server.setEnabled(False)
        self.email.setReadOnly(bool(email))
        self.use_token.setChecked(uses_token)
        self.use_password.setChecked(not uses_token)
        self.use_token.setEnabled(False)
        self.use_password.setEnabled(False)
        self.remember.setChecked(remember)
        self.set_error(message)
        (self.token if uses_token else self.password).setFocus()
