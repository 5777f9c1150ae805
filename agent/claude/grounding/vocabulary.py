"""Words that make a capitalised phrase something other than a person's name."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# "Account Executive", "Success Team", "VP Product": roles, teams and departments, not people.
ROLE_WORDS = _words(
    """csm csms customer customers team teams success sales support account accounts executive executives
    manager managers engineer engineers engineering product products solutions solution sponsor sponsors
    champion champions buyer buyers leadership finance it ops operations services service director directors
    vp svp evp cto cfo ceo coo cio ciso cmo cro admin admins administrator administrators training marketing
    both owner owners lead leads specialist specialists architect architects partner partners legal
    procurement security renewal renewals review reviews business technical economic steering committee board
    group office head chief officer analytics platform premium enterprise plan plans quarterly qbr qbrs
    data analyst analysts user users president founder counsel controller treasurer department hr people
    strategy strategic program programme project projects portfolio value workshop session sessions tier
    module suite edition license licenses seat seats expansion upsell pipeline roadmap health adoption
    onboarding enablement integration integrations api day kickoff summit conference cloud hub portal center
    centre studio workspace connect insights dashboard dashboards report reports reporting north south east west
    america americas europe asia pacific emea apac latam global international regional new york london
    airlines bank group holdings inc ltd llc corp corporation company industries systems software labs"""
)
# Words that start a sentence or a clause before a name ("Ask Sarah Chen", "Thank Marcus Webb").
LEADING_WORDS = _words(
    """the a an our their its his her this that these those and or but if when once then also so with from to
    by via for of in on at ask asks meet meets meeting invite invites brief briefs introduce introduces intro
    thank thanks email emails call calls loop cc engage engages schedule book hold prepare send share confirm
    run align secure expand increase drive build deliver agree plan review get set follow check keep make
    have let see use work partner start open close win grow protect present walk map identify find
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday jan feb mar apr jun jul aug sep sept oct nov dec
    q1 q2 q3 q4 fy week weeks day days next key first second third last each every all any no current overall
    total main top quarter year month metric metrics goal goals objective objectives risk risks action actions
    step steps summary outcome outcomes milestone milestones target targets budget phase stage status update
    why what how where who note"""
)
