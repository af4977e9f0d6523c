"""Identifiers: BIN/IIN numbers, FEACN (ТН ВЭД ЕАЭС) codes and countries."""

from kzreg.law.identifiers.bin_iin import (
    BIN_DIVISIONS,
    BIN_ENTITY_TYPES,
    ID_LEGAL_BASIS,
    IdCheck,
    IdKind,
    check_id,
    control_digit,
    validate_bin,
    validate_bin_or_iin,
    validate_iin,
)
from kzreg.law.identifiers.countries import (
    Country,
    OriginClass,
    all_countries,
    country,
    eaeu_members,
    is_eaeu_member,
    origin_class,
)
from kzreg.law.identifiers.feacn import (
    FEACN_LEVELS,
    FeacnCode,
    in_group,
    matching_groups,
)

__all__ = [
    "BIN_DIVISIONS", "BIN_ENTITY_TYPES", "FEACN_LEVELS", "ID_LEGAL_BASIS", "Country",
    "FeacnCode", "IdCheck", "IdKind", "OriginClass", "all_countries", "check_id",
    "control_digit", "country", "eaeu_members", "in_group", "is_eaeu_member",
    "matching_groups", "origin_class", "validate_bin", "validate_bin_or_iin",
    "validate_iin",
]
