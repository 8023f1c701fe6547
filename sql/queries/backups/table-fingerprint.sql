-- Rows and an order-independent checksum of a table's whole content (the same rows in any part layout
-- give the same answer). The row is hashed as one tuple, so a NULL is told apart from an empty value (a bare
-- cityHash64(*) is NULL when any column is). UInt64 as text: JSON numbers would round it.
SELECT toString(count()) AS rows, toString(groupBitXor(cityHash64(tuple(*)))) AS checksum FROM {{table}}
