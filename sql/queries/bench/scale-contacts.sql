-- Benchmark contacts u0 .. u(n-1): skewed cities (region follows the city), VIP levels mostly 0, sign-ups over
-- two years (about 2 % in the last 15 days, for the 3-7-15 rule), 1 % opted out, free attributes.
INSERT INTO contacts (workspace_id, user_id, phone, name, gender, birthday, city, region, signup_at, vip_level, consent, consent_at, attributes, updated_at)
SELECT
    {workspace:String},
    concat('u', toString(user_num)),
    concat('+86138', leftPad(toString(user_num), 8, '0')),
    concat('用户', toString(user_num)),
    ['female', 'male'][1 + cityHash64(user_num, 'gender') % 2],
    toDate32('1960-01-01') + toInt32(cityHash64(user_num, 'birthday') % 16000),
    {cities:Array(String)}[1 + city_index],
    {regions:Array(String)}[1 + city_index],
    {now:DateTime64(3, 'UTC')} - toIntervalSecond(cityHash64(user_num, 'signup') % (730 * 86400)),
    toUInt8(multiIf(vip_draw < 70, 0, vip_draw < 85, 1, vip_draw < 93, 2, vip_draw < 97, 3, vip_draw < 99, 4, 5)),
    if(cityHash64(user_num, 'consent') % 100 = 0, 'opted_out', 'opted_in'),
    {now:DateTime64(3, 'UTC')} - toIntervalDay(400),
    map('score', toString(cityHash64(user_num, 'score') % 100),
        'age_band', ['18-24', '25-34', '35-44', '45-54', '55+'][1 + cityHash64(user_num, 'age') % 5]),
    {now:DateTime64(3, 'UTC')}
FROM
(
    SELECT number AS user_num, {{bench/scale-city-of}} AS city_index, cityHash64(number, 'vip') % 100 AS vip_draw
    FROM numbers({contacts:UInt64})
)
