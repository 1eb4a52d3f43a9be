"""What records hold, for comparing records loaded two ways."""


def values(record) -> dict:
    """What a record holds, field by field, as a page would read it: its loaded fields."""
    deferred = record.get_deferred_fields()
    return {
        field.attname: getattr(record, field.attname)
        for field in record._meta.concrete_fields
        if field.attname not in deferred and field.name != "search_document"
    }
