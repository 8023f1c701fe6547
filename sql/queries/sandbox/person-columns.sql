-- user_id, phone and phone_hash of a snapshot row (table aliased src). Masked roles get the phone as the API shows it
-- (access/pii-policy.ts: 138****5678); phone_hash (salted SHA-256) is the same for every role, for joins and counts.
{{sandbox/user-id}},
if({masked:UInt8} = 1, {{sandbox/masked-phone}}, src.phone) AS phone,
if(src.phone = '', '', lower(hex(SHA256(concat({salt:String}, src.phone))))) AS phone_hash
