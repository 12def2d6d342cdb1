from luotsi.sponsored import mark_sponsored_links


def test_outbound_links_get_sponsored_rel_and_internal_ones_do_not():
    html = ('<a href="https://partner.example/x">p</a> <a href="https://site.example/a">s</a> '
            '<a href="/local">l</a> <a rel="nofollow" href="http://other.example">o</a>')
    out = mark_sponsored_links(html, "site.example")
    assert '<a href="https://partner.example/x" rel="sponsored noopener">' in out
    assert '<a href="https://site.example/a">' in out
    assert '<a href="/local">' in out
    assert '<a rel="nofollow sponsored noopener" href="http://other.example">' in out
