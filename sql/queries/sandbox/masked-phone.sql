-- common/phone.ts maskPhone in SQL: +86 mainland numbers lose the prefix, the first 3 and last 4 digits stay.
multiIf(
    src.phone = '', '',
    match(src.phone, '^\\+861[0-9]{10}$'), concat(substring(src.phone, 4, 3), '****', right(src.phone, 4)),
    length(src.phone) >= 11, concat(left(src.phone, 3), repeat('*', toUInt64(length(src.phone) - 7)), right(src.phone, 4)),
    concat(repeat('*', toUInt64(greatest(toInt64(length(src.phone)) - 4, 0))), right(src.phone, 4))
)
