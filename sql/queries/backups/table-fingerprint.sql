-- Rows and an order-independent checksum of a table's whole content (the same rows in any part layout
-- give the same answer). UInt64 as text: JSON numbers would round it.
SELECT toString(count()) AS rows, toString(groupBitXor(cityHash64(*))) AS checksum FROM {{table}}
