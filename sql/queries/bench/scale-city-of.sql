-- The city index of generated user `user_num` (0 = the largest city): contacts and events share it, so an
-- event's region is its recipient's. Skewed, as populations are.
toUInt32(floor(length({cities:Array(String)}) * pow((cityHash64(user_num, 'city') % 4294967296) / 4294967296, 1.7)))
