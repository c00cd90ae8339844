"""asxh — chi trả an sinh xã hội không dùng tiền mặt."""
