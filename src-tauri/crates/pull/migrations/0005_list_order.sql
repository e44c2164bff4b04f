-- The order Zoho listed an entity in during a pull, as `page_context` said
-- it ("created_time A": oldest first by creation). NULL: not listed yet.
-- Pulls begun before this step asked for no order, which '' stands for, so
-- they resume as they began.
ALTER TABLE pull_entities ADD COLUMN list_order TEXT;
UPDATE pull_entities SET list_order = '';
