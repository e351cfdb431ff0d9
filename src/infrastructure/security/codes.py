import secrets

from application.ports.security import CodeGenerator
from domain.codes import CODE_DIGITS


class RandomCodes(CodeGenerator):
    def new_code(self) -> str:
        # randbelow is uniform (no modulo bias); zfill keeps leading zeros.
        return str(secrets.randbelow(10**CODE_DIGITS)).zfill(CODE_DIGITS)
